# Demo form of ../reviewkd_litehrnet18_mpii.py: the Multi-KD demo config
# (generated data, 64x64, short schedule) with this loss instead.
_base_ = ['../../demo/multikd_litehrnet18_demo.py']

# Demo weight: the rule that set Multi-KD's beta and lambda, applied at
# initialisation (docs/results.md, "Loss weights of the compared distillers"):
# a feature loss starts at 2.24 x loss_kpt, as beta * L_fkd does (measured
# L_reviewkd 146.8 at weight 1, loss_kpt 1.078: 2.24 * 1.078 / 146.8 = 0.016).
model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_reviewkd=dict(
            type='ReviewKDLoss', mid_channels=64, loss_weight=0.016
        ),
    )
)

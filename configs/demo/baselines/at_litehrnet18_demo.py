# Demo form of ../at_litehrnet18_mpii.py: the Multi-KD demo config
# (generated data, 64x64, short schedule) with this loss instead.
_base_ = ['../../demo/multikd_litehrnet18_demo.py']

# Demo weight: the rule that set Multi-KD's beta and lambda, applied at
# initialisation (docs/results.md, "Loss weights of the compared distillers"):
# a feature loss starts at 2.24 x loss_kpt, as beta * L_fkd does (measured L_at
# 0.0048 at weight 1, loss_kpt 1.078: 2.24 * 1.078 / 0.0048 = 500; the paper's
# weight is 1000).
model = dict(
    distill_losses=dict(
        _delete_=True, loss_at=dict(type='ATLoss', p=2, loss_weight=500.0)
    )
)

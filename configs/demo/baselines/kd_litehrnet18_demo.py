# Demo form of ../kd_litehrnet18_mpii.py: the Multi-KD demo config
# (generated data, 64x64, short schedule) with this loss instead.
_base_ = ['../../demo/multikd_litehrnet18_demo.py']

# Demo weight: the rule that set Multi-KD's beta and lambda, applied at
# initialisation (docs/results.md, "Loss weights of the compared distillers"):
# a distribution loss starts at 1.08 x loss_kpt, as lambda * L_vkd does
# (measured L_kd 191.7 at weight 1, loss_kpt 1.078: 1.08 * 1.078 / 191.7 =
# 0.006).
model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_kd=dict(type='HintonKDLoss', temperature=4.0, loss_weight=0.006),
    )
)

# Demo form of ../rkd_litehrnet18_mpii.py: the Multi-KD demo config
# (generated data, 64x64, short schedule) with this loss instead.
_base_ = ['../../demo/multikd_litehrnet18_demo.py']

# Demo weight: the rule that set Multi-KD's beta and lambda, applied at
# initialisation (docs/results.md, "Loss weights of the compared distillers"):
# a feature loss starts at 2.24 x loss_kpt, as beta * L_fkd does (measured
# L_rkd 24.6 at weight 1, loss_kpt 1.078: 2.24 * 1.078 / 24.6 = 0.1).
model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_rkd=dict(
            type='RKDLoss',
            distance_weight=25.0,
            angle_weight=50.0,
            loss_weight=0.1,
        ),
    )
)

# RKD's relations need at least 3 samples in every batch.
train_dataloader = dict(drop_last=True)

# Demo form of ../rkd_litehrnet18_mpii.py: the Multi-KD demo config
# (generated data, 64x64, short schedule) with this loss instead.
_base_ = ['../../demo/multikd_litehrnet18_demo_synthetic-64x64.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_rkd=dict(
            type='RKDLoss',
            distance_weight=25.0,
            angle_weight=50.0,
            loss_weight=1.0,
        ),
    )
)

# RKD's relations need at least 3 samples in every batch.
train_dataloader = dict(drop_last=True)

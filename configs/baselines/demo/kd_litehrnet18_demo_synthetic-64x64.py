# Demo form of ../kd_litehrnet18_mpii.py: the Multi-KD demo config
# (generated data, 64x64, short schedule) with this loss instead.
_base_ = ['../../demo/multikd_litehrnet18_demo_synthetic-64x64.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_kd=dict(type='HintonKDLoss', temperature=4.0, loss_weight=1.0),
    )
)

# Demo form of ../at_litehrnet18_mpii.py: the Multi-KD demo config
# (generated data, 64x64, short schedule) with this loss instead.
_base_ = ['../../demo/multikd_litehrnet18_demo_synthetic-64x64.py']

model = dict(
    distill_losses=dict(
        _delete_=True, loss_at=dict(type='ATLoss', p=2, loss_weight=1000.0)
    )
)

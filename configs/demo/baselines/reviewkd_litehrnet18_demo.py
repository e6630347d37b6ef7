# Demo form of ../reviewkd_litehrnet18_mpii.py: the Multi-KD demo config
# (generated data, 64x64, short schedule) with this loss instead.
_base_ = ['../../demo/multikd_litehrnet18_demo.py']

# Weight by the one rule of docs/method.md, as for Multi-KD: a feature
# term starts at 2 x loss_kpt (measured on the demo with its trained
# teacher by multikd_lab/tools/loss_scales.py: L 3944 at weight 1,
# loss_kpt 1.068). The paper's weight: 1.
model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_reviewkd=dict(
            type='ReviewKDLoss', mid_channels=64, loss_weight=0.00054
        ),
    )
)

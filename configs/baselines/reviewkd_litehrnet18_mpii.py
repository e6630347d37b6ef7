# Compared distiller: Chen et al., CVPR 2021, 'Distilling Knowledge via
# Knowledge Review': ABF fusion of student stages + hierarchical context loss.
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

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

# Compared distiller: Chen et al., CVPR 2021, 'Distilling Knowledge via
# Knowledge Review': ABF fusion of student stages + hierarchical context loss.
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_reviewkd=dict(
            type='ReviewKDLoss', mid_channels=64, loss_weight=1.0
        ),
    )
)

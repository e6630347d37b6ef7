# Compared distiller: Romero et al., ICLR 2015, 'FitNets': regressor + MSE on
# one mid-level stage.
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_fitnet=dict(
            type='FitNetLoss',
            student_stage=1,
            teacher_stage=1,
            loss_weight=1.0,
        ),
    )
)

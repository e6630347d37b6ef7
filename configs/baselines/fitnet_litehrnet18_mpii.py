# Compared distiller: Romero et al., ICLR 2015, 'FitNets': regressor + MSE on
# one mid-level stage.
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

# Weight by the one rule of docs/method.md, as for Multi-KD: a feature
# term starts at 2 x loss_kpt (measured on the demo with its trained
# teacher by multikd_lab/tools/loss_scales.py: L 1596 at weight 1,
# loss_kpt 1.068). The paper's weight: 1.
model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_fitnet=dict(
            type='FitNetLoss',
            student_stage=1,
            teacher_stage=1,
            loss_weight=0.0013,
        ),
    )
)

# Compared distiller: Hinton et al., 2015, 'Distilling the Knowledge in a
# Neural Network': KL on the SimDR distributions (tau=4).
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_kd=dict(type='HintonKDLoss', temperature=4.0, loss_weight=1.0),
    )
)

# Compared distiller: Hinton et al., 2015, 'Distilling the Knowledge in a
# Neural Network': KL on the SimDR distributions (tau=4).
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

# Weight by the one rule of docs/method.md, as for Multi-KD: a distribution
# term starts at 1 x loss_kpt (measured on the demo with its trained
# teacher by multikd_lab/tools/loss_scales.py: L 1.027e+04 at weight 1,
# loss_kpt 1.068). The paper's weight: 1.
model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_kd=dict(type='HintonKDLoss', temperature=4.0, loss_weight=0.0001),
    )
)

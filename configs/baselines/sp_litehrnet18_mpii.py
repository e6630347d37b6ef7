# Compared distiller: Tung & Mori, ICCV 2019, 'Similarity-Preserving Knowledge
# Distillation': per-stage batch similarity matrices.
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

# Weight by the one rule of docs/method.md, as for Multi-KD: a feature
# term starts at 2 x loss_kpt (measured on the demo with its trained
# teacher by multikd_lab/tools/loss_scales.py: L 10.55 at weight 1,
# loss_kpt 1.068). The paper's weight: 3000.
model = dict(
    distill_losses=dict(
        _delete_=True, loss_sp=dict(type='SPLoss', loss_weight=0.2)
    )
)

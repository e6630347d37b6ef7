# Compared distiller: Tung & Mori, ICCV 2019, 'Similarity-Preserving Knowledge
# Distillation': per-stage batch similarity matrices.
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

model = dict(
    distill_losses=dict(
        _delete_=True, loss_sp=dict(type='SPLoss', loss_weight=3000.0)
    )
)

# Compared distiller: Zagoruyko & Komodakis, ICLR 2017, 'Paying More Attention
# to Attention' (the paper's "AF"): per-stage attention maps.
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

model = dict(
    distill_losses=dict(
        _delete_=True, loss_at=dict(type='ATLoss', p=2, loss_weight=1000.0)
    )
)

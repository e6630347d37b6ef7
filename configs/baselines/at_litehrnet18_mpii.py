# Compared distiller: Zagoruyko & Komodakis, ICLR 2017, 'Paying More Attention
# to Attention' (the paper's "AF"): per-stage attention maps.
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

# Weight by the one rule of docs/method.md, as for Multi-KD: a feature
# term starts at 2 x loss_kpt (measured on the demo with its trained
# teacher by multikd_lab/tools/loss_scales.py: L 0.1327 at weight 1,
# loss_kpt 1.068). The paper's weight: 1000 (the authors' beta/2 = 500
# times the stages, on a batch mean).
model = dict(
    distill_losses=dict(
        _delete_=True, loss_at=dict(type='ATLoss', p=2, loss_weight=16.0)
    )
)

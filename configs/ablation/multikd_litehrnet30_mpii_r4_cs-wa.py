# Ablation row 4 (LiteHRNet-30): cross-stage + WA (adaptive pair weights).
_base_ = ['./multikd_litehrnet30_mpii_r2_cs.py']

model = dict(distill_losses=dict(loss_fkd=dict(weight_adaptation=True)))

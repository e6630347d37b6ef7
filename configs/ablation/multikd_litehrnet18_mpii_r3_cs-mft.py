# Ablation row 3 (LiteHRNet-18): cross-stage + MFT (all branches fused).
_base_ = ['./multikd_litehrnet18_mpii_r2_cs.py']

model = dict(distill_losses=dict(loss_fkd=dict(multi_resolution=True)))

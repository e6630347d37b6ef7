# Ablation row 5 (LiteHRNet-18): cross-stage + MFT + WA, no VKD.
_base_ = ['./multikd_litehrnet18_mpii_r2_cs.py']

model = dict(
    distill_losses=dict(
        loss_fkd=dict(weight_adaptation=True, multi_resolution=True)
    )
)

# LSP ablation row 5: cross-stage + MFT + WA, no VKD.
_base_ = ['./multikd_litehrnet18_lspet_r2_cs.py']

model = dict(
    distill_losses=dict(
        loss_fkd=dict(weight_adaptation=True, multi_resolution=True)
    )
)

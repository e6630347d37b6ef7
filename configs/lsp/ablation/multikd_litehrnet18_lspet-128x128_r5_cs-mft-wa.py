# LSP ablation row 5 at 128x128: cross-stage feature KD with MFT and WA
# (VKD off).
_base_ = ['./multikd_litehrnet18_lspet-128x128_r2_cs.py']

model = dict(
    distill_losses=dict(
        loss_fkd=dict(weight_adaptation=True, multi_resolution=True)
    )
)

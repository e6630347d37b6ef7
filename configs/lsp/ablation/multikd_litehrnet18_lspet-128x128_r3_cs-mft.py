# LSP ablation row 3 at 128x128: cross-stage + MFT.
_base_ = ['./multikd_litehrnet18_lspet-128x128_r2_cs.py']

model = dict(distill_losses=dict(loss_fkd=dict(multi_resolution=True)))

# LSP ablation row 3: cross-stage + MFT.
_base_ = ['./multikd_litehrnet18_lspet_r2_cs.py']

model = dict(distill_losses=dict(loss_fkd=dict(multi_resolution=True)))

# LSP ablation row 4: cross-stage + WA.
_base_ = ['./multikd_litehrnet18_lspet_r2_cs.py']

model = dict(distill_losses=dict(loss_fkd=dict(weight_adaptation=True)))

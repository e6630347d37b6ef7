# LSP ablation row 1 at 128x128: no distillation, the SimDR LiteHRNet-18
# student alone.
_base_ = ['../simcc_litehrnet18_1xb32-16e_lspet-128x128.py']

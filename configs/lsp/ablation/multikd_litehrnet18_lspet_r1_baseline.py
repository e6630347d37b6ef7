# LSP ablation row 1: no distillation, the SimDR LiteHRNet-18 student alone.
_base_ = ['../simcc_litehrnet18_1xb32-16e_lspet-64x64.py']

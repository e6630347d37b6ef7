# LSP ablation row 6: the full method (= ../multikd_litehrnet18_lspet.py).
_base_ = ['../multikd_litehrnet18_lspet.py']

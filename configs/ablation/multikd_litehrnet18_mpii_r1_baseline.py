# Ablation row 1 (LiteHRNet-18): no distillation, the SimDR student alone.
_base_ = ['../simdr/simcc_litehrnet18_8xb64-210e_mpii-256x256.py']

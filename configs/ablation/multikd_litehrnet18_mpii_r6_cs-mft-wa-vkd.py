# Ablation row 6 (LiteHRNet-18): the full method (cross-stage + MFT + WA +
# VKD), identical to ../multikd_litehrnet18_mpii.py.
_base_ = ['../multikd_litehrnet18_mpii.py']

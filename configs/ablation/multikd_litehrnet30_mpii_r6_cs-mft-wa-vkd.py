# Ablation row 6 (LiteHRNet-30): the full method (cross-stage + MFT + WA +
# VKD), identical to ../multikd_litehrnet30_mpii.py.
_base_ = ['../multikd_litehrnet30_mpii.py']

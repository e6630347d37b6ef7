# Ablation row 6 (LiteHRNet-30): the full method as the paper writes it
# (cross-stage + MFT + WA + VKD): ../multikd_litehrnet30_mpii.py with every
# departure from the paper off (`paper_switches`, docs/method.md).
_base_ = ['../multikd_litehrnet30_mpii.py']

model = dict(distill_losses=_base_.paper_switches)

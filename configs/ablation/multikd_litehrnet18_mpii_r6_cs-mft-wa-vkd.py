# Ablation row 6 (LiteHRNet-18): the full method as the paper writes it
# (cross-stage + MFT + WA + VKD): ../multikd_litehrnet18_mpii.py with every
# departure from the paper off (`paper_switches`, docs/method.md).
_base_ = ['../multikd_litehrnet18_mpii.py']

model = dict(distill_losses=_base_.paper_switches)

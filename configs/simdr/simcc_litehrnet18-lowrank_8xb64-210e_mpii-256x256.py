# SimDR LiteHRNet-18 with the low-rank SimDR head (LowRankSimCCHead, rank
# 32): 1.30 M instead of 5.33 M parameters (docs/benchmarks.md).
_base_ = ['./simcc_litehrnet18_8xb64-210e_mpii-256x256.py']

model = dict(head=dict(type='LowRankSimCCHead', rank=32))

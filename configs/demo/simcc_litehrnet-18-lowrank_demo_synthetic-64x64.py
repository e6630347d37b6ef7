# Demo form of the SimDR LiteHRNet-18 student with the low-rank SimDR head.
_base_ = ['./simcc_litehrnet-18_demo_synthetic-64x64.py']

model = dict(head=dict(type='LowRankSimCCHead', rank=32))

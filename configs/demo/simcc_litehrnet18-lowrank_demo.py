# Demo form of the SimDR LiteHRNet-18 student with the low-rank SimDR head.
_base_ = ['./simcc_litehrnet18_demo.py']

model = dict(head=dict(type='LowRankSimCCHead', rank=32))

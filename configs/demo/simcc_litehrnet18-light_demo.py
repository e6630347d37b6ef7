# Demo form of the SimDR LiteHRNet-18 student with the light SimDR head.
_base_ = ['./simcc_litehrnet18_demo.py']

model = dict(head=dict(type='LightSimCCHead', strips=2))

# SimDR LiteHRNet-18 with the light SimDR head (LightSimCCHead, 2 strips):
# the same model as simcc_litehrnet18 but 1.26 M instead of 5.33 M
# parameters (docs/benchmarks.md).
_base_ = ['./simcc_litehrnet18_8xb64-210e_mpii-256x256.py']

model = dict(head=dict(type='LightSimCCHead', strips=2))

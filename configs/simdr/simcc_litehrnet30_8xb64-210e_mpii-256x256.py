# SimDR LiteHRNet-30 student: LiteHRNet-18 with more modules per stage, the
# only difference between MMPose's two LiteHRNet MPII configs.
_base_ = ['./simcc_litehrnet18_8xb64-210e_mpii-256x256.py']

model = dict(
    backbone=dict(extra=dict(stages_spec=dict(num_modules=(3, 8, 3))))
)

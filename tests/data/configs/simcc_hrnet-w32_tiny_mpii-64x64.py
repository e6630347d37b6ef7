# The SimDR HRNet-W32 teacher's model at 64x64 input for CPU tests (no
# ImageNet download: the distiller loads the teacher from teacher_ckpt).
_base_ = ['../../../configs/simdr/simcc_hrnet-w32_8xb64-210e_mpii-256x256.py']

codec = dict(
    type='SimCCLabel', input_size=(64, 64), sigma=2.0, simcc_split_ratio=2.0
)
model = dict(
    backbone=dict(init_cfg=None),
    head=dict(
        input_size=codec['input_size'],
        in_featuremap_size=(16, 16),
        decoder=codec,
    ),
)

# Demo form of a model-zoo heatmap teacher: MMPose's own heatmap HRNet-W32
# MPII config (unchanged recipe: HeatmapHead, MSRAHeatmap codec,
# KeypointMSELoss) with HRNet-W18 widths and no ImageNet init, on generated
# data at 64x64 (16x16 heatmaps) with the demo teacher schedule: the
# heatmap twin of simcc_hrnet-w18_demo.py.
_base_ = [
    'mmpose::body_2d_keypoint/topdown_heatmap/mpii/'
    'td-hm_hrnet-w32_8xb64-210e_mpii-256x256.py',
    './_base_/demo_synthetic-64x64.py',
]

custom_imports = dict(imports=['mmpose_multikd'], allow_failed_imports=False)

codec = dict(
    type='MSRAHeatmap',
    input_size=_base_.demo_input_size,
    heatmap_size=tuple(s // 4 for s in _base_.demo_input_size),
    sigma=2,
)
model = dict(
    backbone=_base_.demo_teacher_backbone,
    head=dict(in_channels=18, decoder=codec),
)
train_cfg = _base_.demo_teacher_train_cfg
param_scheduler = _base_.demo_teacher_param_scheduler
optim_wrapper = _base_.demo_optim_wrapper
default_hooks = _base_.demo_teacher_default_hooks
train_dataloader = dict(
    _base_.demo_train_dataloader,
    dataset=dict(
        data_root=_base_.demo_data_root,
        pipeline=[
            *_base_.demo_train_pipeline[:-2],
            dict(type='GenerateTarget', encoder=codec),
            dict(type='PackPoseInputs'),
        ],
    ),
)
val_dataloader = _base_.demo_val_dataloader
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False)
randomness = dict(seed=0)

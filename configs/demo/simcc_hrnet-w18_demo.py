# Demo form of the SimDR HRNet teacher: the real HRNet-W32 config with
# HRNet-W18 widths (to train in minutes on a CPU), no ImageNet init, on
# generated data at 64x64 with the demo teacher schedule (36 epochs).
_base_ = [
    '../simdr/simcc_hrnet-w32_8xb64-210e_mpii-256x256.py',
    './_base_/demo_synthetic-64x64.py',
]

codec = dict(_delete_=True, **_base_.demo_codec)
model = dict(
    backbone=_base_.demo_teacher_backbone,
    head=dict(in_channels=18, **_base_.demo_head),
)
train_cfg = _base_.demo_teacher_train_cfg
param_scheduler = _base_.demo_teacher_param_scheduler
optim_wrapper = _base_.demo_optim_wrapper
default_hooks = _base_.demo_teacher_default_hooks
train_dataloader = _base_.demo_train_dataloader
val_dataloader = _base_.demo_val_dataloader
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False)
randomness = dict(seed=0)

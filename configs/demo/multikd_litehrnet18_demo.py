# Demo form of Multi-KD: the real distiller config (same losses and
# switches) with the demo teacher and student, on generated data at 64x64
# with the demo schedule. `make demo` sets model.teacher_ckpt to the teacher
# it has just trained.
_base_ = [
    '../multikd_litehrnet18_mpii.py',
    './_base_/demo_synthetic-64x64.py',
]

codec = dict(_delete_=True, **_base_.demo_codec)
model = dict(
    teacher='{{fileDirname}}/simcc_hrnet-w18_demo.py',
    student=dict(head=_base_.demo_head),
)
train_cfg = _base_.demo_train_cfg
param_scheduler = _base_.demo_param_scheduler
optim_wrapper = _base_.demo_optim_wrapper
default_hooks = _base_.demo_default_hooks
train_dataloader = _base_.demo_train_dataloader
val_dataloader = _base_.demo_val_dataloader
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False)
randomness = dict(seed=0)

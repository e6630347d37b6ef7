# Demo form of the SimDR LiteHRNet-18 student (the baseline of `make demo`):
# the real config on generated data at 64x64 with a short schedule.
_base_ = [
    '../simdr/simcc_litehrnet18_8xb64-210e_mpii-256x256.py',
    './_base_/demo_synthetic-64x64.py',
]

codec = dict(_delete_=True, **_base_.demo_codec)
model = dict(head=_base_.demo_head)
train_cfg = _base_.demo_train_cfg
param_scheduler = _base_.demo_param_scheduler
optim_wrapper = _base_.demo_optim_wrapper
default_hooks = _base_.demo_default_hooks
train_dataloader = _base_.demo_train_dataloader
val_dataloader = _base_.demo_val_dataloader
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False)
randomness = dict(seed=0)

# LSP teacher at 64x64: the SimDR HRNet teacher config of MPII with
# HRNet-W18 widths and no ImageNet init (the demo teacher's network), on
# LSPet with the LSP teacher schedule. Trained once by
# `multikd_lab/tools/run_lsp_campaign.py --part teacher` and cached.
_base_ = [
    '../simdr/simcc_hrnet-w32_8xb64-210e_mpii-256x256.py',
    './_base_/lspet-64x64.py',
]

codec = dict(_delete_=True, **_base_.lsp_codec)
model = dict(
    backbone=_base_.lsp_teacher_backbone,
    head=dict(in_channels=18, **_base_.lsp_head),
)
train_cfg = _base_.lsp_teacher_train_cfg
param_scheduler = _base_.lsp_teacher_param_scheduler
optim_wrapper = _base_.lsp_optim_wrapper
default_hooks = _base_.lsp_default_hooks
train_dataloader = _base_.lsp_train_dataloader
val_dataloader = _base_.lsp_val_dataloader
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False)
randomness = dict(seed=0)

# LSP teacher at 128x128, for the rows that settle MFT (r2, r3 at 128x128):
# the 64x64 LSP teacher's network (SimDR HRNet with W18 widths) fine-tuned
# at 128x128 for 12 epochs (1,500 iterations; x0.1 after 5/8, epoch 8),
# validated every 4 epochs. `multikd_lab.tools.run_lsp_campaign --part
# teacher`
# starts it from the trained 64x64 teacher (`load_from`: every weight but
# the SimDR head's two linears, whose sizes follow the input) and caches
# it. Trained from scratch at 128x128 for the 64x64 teacher's 9,000
# iterations it would cost 8.6 h of the 2-core machine
# (docs/lsp.md).
_base_ = [
    '../simdr/simcc_hrnet-w32_8xb64-210e_mpii-256x256.py',
    './_base_/lspet-128x128.py',
]

codec = dict(_delete_=True, **_base_.lsp_codec)
model = dict(
    backbone=_base_.lsp_teacher_backbone,
    head=dict(in_channels=18, **_base_.lsp_head),
)
train_cfg = dict(max_epochs=12, val_interval=4)
param_scheduler = [
    _base_.lsp_warmup,
    dict(
        type='MultiStepLR',
        begin=0,
        end=12,
        milestones=[8],
        gamma=0.1,
        by_epoch=True,
    ),
]
optim_wrapper = _base_.lsp_optim_wrapper
default_hooks = _base_.lsp_default_hooks
train_dataloader = _base_.lsp_train_dataloader
val_dataloader = _base_.lsp_val_dataloader
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False)
randomness = dict(seed=0)

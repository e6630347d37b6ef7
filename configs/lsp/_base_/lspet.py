# Settings shared by the LSP configs, whatever their input size: LSPet
# converted to MMPose's MPII format (tools/dataset_converters/lsp2mpii.py,
# docs/lsp.md) and the CPU schedules of the LSP campaign
# (docs/lsp.md, where every number here was fixed before the runs).
# Names are prefixed `lsp_` so this file can sit beside a model config in
# `_base_`; each LSP config assigns them to the real keys. Only the data, the
# input size and the schedule differ from the MPII configs.
#
# The data root: convert LSPet there, or override it as for MPII
# (`--cfg-options train_dataloader.dataset.data_root=...`, or the campaign
# command's --data-root).
lsp_data_root = 'data/lspet_mpii/'

# Students: 16 epochs of the 4,000 train images at batch 32 (125 iterations
# an epoch, 2,000 in all), Adam 2e-3 after a 100-iteration warm-up, x0.1
# after 5/8 of the epochs (epoch 10), so that the last quarter of the
# schedule (epochs 13-16) runs at the final learning rate: what it adds
# says whether the run has settled (the plateau rule of
# docs/lsp.md). Validation after every epoch (the curve).
lsp_epochs = 16
lsp_decay_epoch = 10
lsp_warmup = dict(
    type='LinearLR', begin=0, end=100, start_factor=0.01, by_epoch=False
)
lsp_train_cfg = dict(max_epochs=lsp_epochs, val_interval=1)
lsp_param_scheduler = [
    lsp_warmup,
    dict(
        type='MultiStepLR',
        begin=0,
        end=lsp_epochs,
        milestones=[lsp_decay_epoch],
        gamma=0.1,
        by_epoch=True,
    ),
]
# The teacher is trained once, 4.5 times as long (9,000 iterations), with
# the same shape of schedule (x0.1 after 5/8 of the epochs), validated
# every 4 epochs.
lsp_teacher_epochs = 72
lsp_teacher_decay_epoch = 45
lsp_teacher_train_cfg = dict(max_epochs=lsp_teacher_epochs, val_interval=4)
lsp_teacher_param_scheduler = [
    lsp_warmup,
    dict(
        type='MultiStepLR',
        begin=0,
        end=lsp_teacher_epochs,
        milestones=[lsp_teacher_decay_epoch],
        gamma=0.1,
        by_epoch=True,
    ),
]
lsp_optim_wrapper = dict(optimizer=dict(type='Adam', lr=2e-3))
# A checkpoint after every epoch (the campaign resumes a killed run from
# it), only the last kept; no best-on-val checkpoint: every row is scored
# with its final weights (nothing is chosen on the val split).
lsp_default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=1, max_keep_ckpts=1, save_best=None),
)
# The teachers: MMPose's HRNet-W32 config with HRNet-W18 widths (the demo
# teacher's) and no ImageNet init (nothing can be downloaded here).
lsp_teacher_backbone = dict(
    init_cfg=None,
    extra=dict(
        stage2=dict(num_channels=(18, 36)),
        stage3=dict(num_channels=(18, 36, 72)),
        stage4=dict(num_channels=(18, 36, 72, 144)),
    ),
)

# Settings shared by the demo configs: generated MPII-format data
# (tools/generate_synthetic_mpii.py), 64x64 input, a short CPU schedule.
# Names are prefixed with `demo_` so this file can sit beside a model config
# in `_base_`; each demo config assigns them to the real keys.
demo_data_root = 'data/synthetic_mpii/'
demo_input_size = (64, 64)
demo_codec = dict(
    type='SimCCLabel',
    input_size=demo_input_size,
    sigma=3.0,
    simcc_split_ratio=2.0,
)
# The SimCC head reads the stride-4 top branch.
demo_head = dict(
    input_size=demo_input_size,
    in_featuremap_size=tuple(s // 4 for s in demo_input_size),
    decoder=demo_codec,
)
demo_epochs = 12
demo_train_cfg = dict(max_epochs=demo_epochs, val_interval=demo_epochs)
demo_param_scheduler = [
    dict(type='LinearLR', begin=0, end=30, start_factor=0.01, by_epoch=False),
    dict(
        type='MultiStepLR',
        begin=0,
        end=demo_epochs,
        milestones=[demo_epochs - 2],
        gamma=0.1,
        by_epoch=True,
    ),
]
# The demo teachers: MMPose's HRNet-W32 configs with HRNet-W18 widths (to
# train in minutes on a CPU) and no ImageNet init.
demo_teacher_backbone = dict(
    init_cfg=None,
    extra=dict(
        stage2=dict(num_channels=(18, 36)),
        stage3=dict(num_channels=(18, 36, 72)),
        stage4=dict(num_channels=(18, 36, 72, 144)),
    ),
)
# The demo teachers train three times as long (decay at epoch 30): the
# premise of distillation is a teacher far above its students, and 12
# epochs leave the teacher barely above the student alone
# (docs/results.md).
demo_teacher_epochs = 36
demo_teacher_train_cfg = dict(
    max_epochs=demo_teacher_epochs, val_interval=demo_teacher_epochs
)
demo_teacher_param_scheduler = [
    demo_param_scheduler[0],
    dict(
        demo_param_scheduler[1],
        end=demo_teacher_epochs,
        milestones=[demo_teacher_epochs - 6],
    ),
]
demo_teacher_default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(
        interval=demo_teacher_epochs, save_best='PCK', rule='greater'
    ),
)
demo_optim_wrapper = dict(optimizer=dict(type='Adam', lr=2e-3))
demo_default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=demo_epochs, save_best='PCK', rule='greater'),
)

demo_train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(
        type='RandomBBoxTransform',
        shift_prob=0,
        rotate_factor=30,
        scale_factor=(0.85, 1.15),
    ),
    dict(type='TopdownAffine', input_size=demo_input_size),
    dict(type='GenerateTarget', encoder=demo_codec),
    dict(type='PackPoseInputs'),
]
demo_val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=demo_input_size),
    dict(type='PackPoseInputs'),
]
demo_train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(data_root=demo_data_root, pipeline=demo_train_pipeline),
)
demo_val_dataloader = dict(
    batch_size=64,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        data_root=demo_data_root,
        headbox_file=f'{demo_data_root}annotations/mpii_gt_val.mat',
        pipeline=demo_val_pipeline,
    ),
)

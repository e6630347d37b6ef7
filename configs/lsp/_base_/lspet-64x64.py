# LSP settings at 64x64 input (the main table of the LSP campaign): the
# shared settings of ./lspet.py plus everything that depends on the input
# size. ./lspet-128x128.py inherits this file and changes the size.
_base_ = ['./lspet.py']

lsp_input_size = (64, 64)
# The distillation weights of this size, by the rule of docs/method.md
# (a feature term starts at 2 x loss_kpt, a distribution term at 1 x),
# measured with the 64x64 LSP teacher on train batches at initialisation:
# `python -m multikd_lab.tools.run_lsp_campaign --part weights` writes the
# measurement to docs/data/lsp/loss_scales_64x64.json and prints these
# lines; the campaign
# refuses a distiller whose config differs from the measurement.
lsp_weights = dict(
    loss_fkd=0.0063,
    loss_vkd=0.00071,
    loss_kd=0.00016,
    loss_fitnet=0.0059,
    loss_rkd=0.0024,
    loss_at=15.0,
    loss_sp=0.17,
    loss_reviewkd=0.0032,
    loss_fea=8e-05,  # DWPose's FeaLoss (alpha_fea)
    loss_logit=0.37,  # DWPose's KDLoss (weight)
)
# The fixes that rescale a term at initialisation (configs/lsp/ablation/
# multikd_litehrnet18_lspet_r6-*.py) get that term's weight from the same
# rule, measured on their own configs.
lsp_fix_weights = dict(
    branch_norm=dict(loss_fkd=0.039),
    vkd_mask=dict(loss_vkd=0.0012),
)
lsp_teacher = '{{fileDirname}}/../simcc_hrnet-w18_1xb32-72e_lspet-64x64.py'
# SimDR labels of the same relative width at every LSP size (sigma 3 bins
# at 64 px and split 2 = 2.3% of the input, as in the demo).
lsp_codec = dict(
    type='SimCCLabel',
    input_size=lsp_input_size,
    sigma=3.0,
    simcc_split_ratio=2.0,
)
# The SimCC head reads the stride-4 top branch.
lsp_head = dict(
    input_size=lsp_input_size,
    in_featuremap_size=tuple(s // 4 for s in lsp_input_size),
    decoder=lsp_codec,
)
# MMPose's LiteHRNet MPII augmentation (configs/_base_/simdr_mpii-256x256.py)
# at this input size.
lsp_train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(
        type='RandomBBoxTransform',
        shift_prob=0,
        rotate_factor=60,
        scale_factor=(0.75, 1.25),
    ),
    dict(type='TopdownAffine', input_size=lsp_input_size),
    dict(type='GenerateTarget', encoder=lsp_codec),
    dict(type='PackPoseInputs'),
]
lsp_val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=lsp_input_size),
    dict(type='PackPoseInputs'),
]
lsp_train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(data_root=_base_.lsp_data_root, pipeline=lsp_train_pipeline),
)
lsp_val_dataloader = dict(
    batch_size=64,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        data_root=_base_.lsp_data_root,
        headbox_file=f'{_base_.lsp_data_root}annotations/mpii_gt_val.mat',
        pipeline=lsp_val_pipeline,
    ),
)

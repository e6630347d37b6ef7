# Multi-KD into a student of another family: MMPose's own RTMPose-m MPII
# config (CSPNeXt backbone, RTMCCHead: SimCC) as the student, unchanged but
# for a 64x64 input and no ImageNet download; the demo SimDR HRNet-W18 as
# the teacher. Taps by module path: CSPNeXt's stages 2-4 (strides 8, 16,
# 32) and RTMCCHead's SimCC layers cls_x / cls_y.
_base_ = [
    'mmpose::body_2d_keypoint/rtmpose/mpii/rtmpose-m_8xb64-210e_mpii-256x256.py'
]

custom_imports = dict(imports=['mmpose_multikd'], allow_failed_imports=False)

input_size = (64, 64)
codec = dict(
    type='SimCCLabel',
    input_size=input_size,
    sigma=(5.66, 5.66),
    simcc_split_ratio=2.0,
    normalize=False,
    use_dark=False,
)
student = dict(
    _base_.model,
    backbone=dict(
        _base_.model.backbone,
        init_cfg=None,
        norm_cfg=dict(type='BN'),
    ),
    head=dict(
        _base_.model.head,
        input_size=input_size,
        in_featuremap_size=tuple(s // 32 for s in input_size),
        decoder=codec,
    ),
)
model = dict(
    _delete_=True,
    type='MultiKDDistiller',
    # read by mmpose.apis.init_model / MMPoseInferencer (unused)
    backbone=dict(),
    teacher='{{fileDirname}}/../../../configs/demo/simcc_hrnet-w18_demo.py',
    student=student,
    teacher_ckpt=None,
    student_taps=['backbone.stage2', 'backbone.stage3', 'backbone.stage4'],
    student_simcc_taps=['head.cls_x', 'head.cls_y'],
    distill_losses=dict(
        loss_fkd=dict(type='CrossStageAttentionKDLoss', embed_dim=16),
        loss_vkd=dict(type='VKDLoss'),
    ),
)
train_pipeline = [
    *_base_.train_pipeline[:5],
    dict(type='TopdownAffine', input_size=input_size),
    *_base_.train_pipeline[6:-2],
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs'),
]
val_pipeline = [
    *_base_.val_pipeline[:2],
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='PackPoseInputs'),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=train_pipeline),
)
val_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=val_pipeline),
)
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1, val_interval=1)

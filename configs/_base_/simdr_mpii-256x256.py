# SimDR (MMPose: SimCC) pieces shared by the teacher and student configs.
# They are defined under new names so that this file can sit beside an MMPose
# heatmap config in `_base_` (MMEngine forbids duplicate keys among bases);
# each model config swaps its heatmap head for `simdr_head`.
custom_imports = dict(imports=['mmpose_multikd'], allow_failed_imports=False)

simdr_codec = dict(
    type='SimCCLabel', input_size=(256, 256), sigma=6.0, simcc_split_ratio=2.0
)

# `in_channels` and `in_featuremap_size` are set by each model config.
simdr_head = dict(
    type='SimCCHead',
    out_channels=16,
    input_size=simdr_codec['input_size'],
    simcc_split_ratio=simdr_codec['simcc_split_ratio'],
    deconv_out_channels=None,
    loss=dict(type='KLDiscretLoss', use_target_weight=True),
    decoder=simdr_codec,
)

simdr_test_cfg = dict(flip_test=True, shift_coords=True)

# MMPose's LiteHRNet MPII augmentation, with SimDR targets.
simdr_train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(
        type='RandomBBoxTransform',
        shift_prob=0,
        rotate_factor=60,
        scale_factor=(0.75, 1.25),
    ),
    dict(type='TopdownAffine', input_size=simdr_codec['input_size']),
    dict(type='GenerateTarget', encoder=simdr_codec),
    dict(type='PackPoseInputs'),
]

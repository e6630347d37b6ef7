# SimDR HRNet-W32 teacher on MPII: MMPose's HRNet-W32 MPII recipe (ImageNet
# pretrained backbone, schedule, data, MpiiPCKAccuracy) with a SimCCHead on
# the 64x64 top branch and the shared SimDR augmentation.
_base_ = [
    'mmpose::body_2d_keypoint/topdown_heatmap/mpii/'
    'td-hm_hrnet-w32_8xb64-210e_mpii-256x256.py',
    '../_base_/simdr_mpii-256x256.py',
]

codec = dict(_delete_=True, **_base_.simdr_codec)
model = dict(
    head=dict(
        _delete_=True,
        in_channels=32,
        in_featuremap_size=(64, 64),
        **_base_.simdr_head,
    ),
    test_cfg=dict(_delete_=True, **_base_.simdr_test_cfg),
)

train_dataloader = dict(dataset=dict(pipeline=_base_.simdr_train_pipeline))

# MMPose's SimCCHead turns its logits into NumPy for its accuracy, which
# fails on bfloat16 (`--amp` with optim_wrapper.dtype=bfloat16): the hook
# hands the logits on in float32 (docs/operating.md, mixed precision).
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='Float32HeadOutputHook'),
]

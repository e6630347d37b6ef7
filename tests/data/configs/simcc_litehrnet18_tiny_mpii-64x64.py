# The SimDR LiteHRNet-18 student config, shrunk for CPU tests: 64x64 input,
# batch 2, one epoch, no worker processes. Data roots come from
# --cfg-options (see tests/conftest.py).
_base_ = [
    '../../../configs/simdr/simcc_litehrnet18_8xb64-210e_mpii-256x256.py'
]

codec = dict(
    type='SimCCLabel', input_size=(64, 64), sigma=2.0, simcc_split_ratio=2.0
)
model = dict(
    head=dict(
        input_size=codec['input_size'],
        in_featuremap_size=(16, 16),
        decoder=codec,
    )
)

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs'),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs'),
]

train_cfg = dict(max_epochs=1, val_interval=1)
loader = dict(batch_size=2, num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(**loader, dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
default_hooks = dict(logger=dict(interval=1))
randomness = dict(seed=0)

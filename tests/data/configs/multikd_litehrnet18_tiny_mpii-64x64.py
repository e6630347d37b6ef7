# Multi-KD at 64x64 for CPU tests: the tiny student's data and runtime, the
# tiny HRNet-W32 teacher, small embeddings. teacher_ckpt comes from
# --cfg-options.
_base_ = ['./simcc_litehrnet18_tiny_mpii-64x64.py']

model = dict(
    _delete_=True,
    type='MultiKDDistiller',
    # read by mmpose.apis.init_model / MMPoseInferencer (unused)
    backbone=dict(),
    teacher='{{fileDirname}}/simcc_hrnet-w32_tiny_mpii-64x64.py',
    student=_base_.model,
    teacher_ckpt=None,
    distill_losses=dict(
        loss_fkd=dict(
            type='CrossStageAttentionKDLoss', embed_dim=16, pool_size=4
        ),
        loss_vkd=dict(type='VKDLoss', temperature=2.0),
    ),
)
# Stop at the first NaN/Inf loss (the student's SyncBuffersHook is kept).
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='NonFiniteLossHook'),
]

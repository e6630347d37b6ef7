# SimDR HRNet-W48 teacher: HRNet-W32 with MMPose's W48 channel widths.
_base_ = ['./simcc_hrnet-w32_8xb64-210e_mpii-256x256.py']

model = dict(
    backbone=dict(
        extra=dict(
            stage2=dict(num_channels=(48, 96)),
            stage3=dict(num_channels=(48, 96, 192)),
            stage4=dict(num_channels=(48, 96, 192, 384)),
        ),
        init_cfg=dict(
            checkpoint='https://download.openmmlab.com/mmpose/'
            'pretrain_models/hrnet_w48-8ef0771d.pth'
        ),
    ),
    head=dict(in_channels=48),
)

# MMPose's own heatmap HRNet-W32 MPII config (the model-zoo teacher) at
# 64x64 input (16x16 heatmaps) for CPU tests; no ImageNet download.
_base_ = [
    'mmpose::body_2d_keypoint/topdown_heatmap/mpii/'
    'td-hm_hrnet-w32_8xb64-210e_mpii-256x256.py'
]

codec = dict(
    type='MSRAHeatmap', input_size=(64, 64), heatmap_size=(16, 16), sigma=2
)
model = dict(backbone=dict(init_cfg=None), head=dict(decoder=codec))

# Multi-KD on MPII from a model-zoo *heatmap* teacher: MMPose's own HRNet-W32
# MPII config (HeatmapHead, MSRAHeatmap) teaches the SimDR LiteHRNet-18
# student. Feature KD is unchanged (it reads the backbones); VKD reads SimDR
# distributions off the teacher's heatmaps (HeatmapVKDLoss, docs/method.md).
#
#   CKPT=hrnet_w32_mpii_256x256-6c4f923f_20200812.pth
#   mim train mmpose configs/multikd_hm-teacher_litehrnet18_mpii.py \
#       --cfg-options model.teacher_ckpt=$CKPT
#
# (MMPose's model-zoo checkpoint of that config, PCKh@0.5 90.0 on MPII val;
# download link in docs/reproduce_mpii.md).
_base_ = ['./multikd_litehrnet18_mpii.py']

model = dict(
    teacher='mmpose::body_2d_keypoint/topdown_heatmap/mpii/'
    'td-hm_hrnet-w32_8xb64-210e_mpii-256x256.py',
    distill_losses=dict(
        loss_vkd=dict(
            _delete_=True,
            type='HeatmapVKDLoss',
            # (label sigma / heatmap sigma)^2 in image pixels: SimCCLabel
            # sigma 6 bins = 3 px; MSRAHeatmap sigma 2 cells = 8 px.
            heatmap_temperature=(3 / 8) ** 2,
            temperature=1.0,
            use_target_weight=False,
            # lambda by the rule of docs/method.md with the heatmap
            # teacher: 1 x loss_kpt at the start (L 1925 at weight 1,
            # loss_kpt 1.068; tools/analysis/loss_scales.py on the demo).
            loss_weight=0.00055,
        ),
        # beta, same rule with this teacher's features: 2 x loss_kpt
        # (L_fkd 800.7 at weight 1).
        loss_fkd=dict(loss_weight=0.0027),
    ),
)

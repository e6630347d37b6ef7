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
_base_ = ['./multikd_litehrnet18_mpii.py', './_base_/hm-teacher_losses.py']

model = dict(
    teacher='mmpose::body_2d_keypoint/topdown_heatmap/mpii/'
    'td-hm_hrnet-w32_8xb64-210e_mpii-256x256.py',
    distill_losses=dict(
        loss_vkd=dict(
            _delete_=True,
            # (label sigma / heatmap sigma)^2 in image pixels: SimCCLabel
            # sigma 6 bins = 3 px; MSRAHeatmap sigma 2 cells = 8 px.
            heatmap_temperature=(3 / 8) ** 2,
            **_base_.hm_teacher_loss_vkd,
            # the default's VKD dose (multikd_litehrnet18_mpii.py) on the
            # heatmap teacher's own rule lambda
            loss_weight=_base_.hm_teacher_vkd_rule_weight * _base_.vkd_dose,
        ),
        loss_fkd=dict(loss_weight=_base_.hm_teacher_beta),
    ),
)

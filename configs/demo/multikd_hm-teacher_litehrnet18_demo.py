# Demo form of Multi-KD from a heatmap teacher: the demo Multi-KD config
# with the heatmap HRNet-W18 demo teacher (td-hm_hrnet-w18_demo.py, MMPose's
# heatmap HRNet config) and HeatmapVKDLoss in place of VKDLoss.
_base_ = ['./multikd_litehrnet18_demo.py', '../_base_/hm-teacher_losses.py']

model = dict(
    teacher='{{fileDirname}}/td-hm_hrnet-w18_demo.py',
    distill_losses=dict(
        loss_vkd=dict(
            _delete_=True,
            # (label sigma / heatmap sigma)^2 in image pixels: SimCCLabel
            # sigma 3 bins = 1.5 px at split 2; MSRAHeatmap sigma 2 cells =
            # 8 px at stride 4.
            heatmap_temperature=(1.5 / 8) ** 2,
            **_base_.hm_teacher_loss_vkd,
            # the rule's lambda: the paper's form, measured beside r6
            loss_weight=_base_.hm_teacher_vkd_rule_weight,
        ),
        loss_fkd=dict(loss_weight=_base_.hm_teacher_beta),
    ),
)

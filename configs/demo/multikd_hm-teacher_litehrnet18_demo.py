# Demo form of Multi-KD from a heatmap teacher: the demo Multi-KD config
# with the heatmap HRNet-W18 demo teacher (td-hm_hrnet-w18_demo.py, MMPose's
# heatmap HRNet config) and HeatmapVKDLoss in place of VKDLoss.
_base_ = ['./multikd_litehrnet18_demo.py']

model = dict(
    teacher='{{fileDirname}}/td-hm_hrnet-w18_demo.py',
    distill_losses=dict(
        loss_vkd=dict(
            _delete_=True,
            type='HeatmapVKDLoss',
            # (label sigma / heatmap sigma)^2 in image pixels: SimCCLabel
            # sigma 3 bins = 1.5 px at split 2; MSRAHeatmap sigma 2 cells =
            # 8 px at stride 4.
            heatmap_temperature=(1.5 / 8) ** 2,
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

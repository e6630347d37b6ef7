# Multi-KD from a heatmap teacher: VKD through HeatmapVKDLoss and the loss
# weights by the one rule of docs/method.md, measured with the heatmap demo
# teacher (multikd_lab/tools/loss_scales.py, docs/results.md): lambda * L_vkd
# starts at 1 x loss_kpt (L 1925 at weight 1, loss_kpt 1.068), beta * L_fkd
# at 2 x loss_kpt (L_fkd 800.7). Shared by the MPII and demo configs, which
# set heatmap_temperature for their own label and heatmap widths.
hm_teacher_vkd_rule_weight = 0.00055
hm_teacher_loss_vkd = dict(
    type='HeatmapVKDLoss',
    temperature=1.0,
    use_target_weight=False,
)
hm_teacher_beta = 0.0027

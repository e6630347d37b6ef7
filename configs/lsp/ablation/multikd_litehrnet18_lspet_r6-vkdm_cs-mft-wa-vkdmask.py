# LSP fix candidate (screened on dev, docs/lsp.md): the full method (r6)
# whose VKD distils only labelled keypoints (`use_target_weight`) where the
# teacher is right: its most likely bin within `teacher_error_radius` bins
# of the label's on both axes (a departure stated in docs/method.md). The
# radius is the median PCKh@0.5 threshold of the train images in bins at
# 64x64 (half the neck-to-head-top distance: 9.5 bins), rounded down. The
# masked term gets its lambda from the rule again (`lsp_fix_weights`).
_base_ = ['./multikd_litehrnet18_lspet_r6_cs-mft-wa-vkd.py']

model = dict(
    distill_losses=dict(
        loss_vkd=dict(
            use_target_weight=True,
            teacher_error_radius=9.0,
            loss_weight=_base_.lsp_fix_weights['vkd_mask']['loss_vkd'],
        )
    )
)

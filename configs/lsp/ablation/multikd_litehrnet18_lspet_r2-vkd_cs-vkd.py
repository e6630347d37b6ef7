# LSP attribution row (not in the paper's table): cross-stage feature KD
# (WA and MFT off, as r2) plus VKD, so that VKD's effect is measured without
# MFT and WA.
_base_ = ['./multikd_litehrnet18_lspet_r2_cs.py']

model = dict(
    distill_losses=dict(
        loss_vkd=dict(
            _delete_=True,
            type='VKDLoss',
            temperature=1.0,
            use_target_weight=False,
            loss_weight=_base_.lsp_weights['loss_vkd'],
        )
    )
)

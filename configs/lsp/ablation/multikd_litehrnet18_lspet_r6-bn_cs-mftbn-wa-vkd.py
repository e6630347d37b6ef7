# LSP fix candidate (screened on dev, docs/lsp.md): the full method (r6)
# with MFT's teacher branches brought to equal energy before fusion
# (`branch_norm`, a departure stated in docs/method.md). The rescaled
# feature term gets its beta from the rule again (`lsp_fix_weights`).
_base_ = ['./multikd_litehrnet18_lspet_r6_cs-mft-wa-vkd.py']

model = dict(
    distill_losses=dict(
        loss_fkd=dict(
            branch_norm=True,
            loss_weight=_base_.lsp_fix_weights['branch_norm']['loss_fkd'],
        )
    )
)

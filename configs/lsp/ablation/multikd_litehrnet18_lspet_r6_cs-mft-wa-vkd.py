# LSP ablation row 6: the full method as the paper writes it:
# ../multikd_litehrnet18_lspet.py with every departure from the paper off
# (`paper_switches`, docs/method.md).
_base_ = ['../multikd_litehrnet18_lspet.py']

model = dict(
    distill_losses=dict(
        loss_fkd=_base_.paper_switches['loss_fkd'],
        loss_vkd=dict(
            **_base_.paper_switches['loss_vkd'],
            loss_weight=_base_.lsp_weights['loss_vkd'],
        ),
    )
)

# LSP form of ../../baselines/reviewkd_litehrnet18_mpii.py: the LSP
# Multi-KD config (LSPet, 64x64, the LSP teacher and student schedule) with
# this loss instead. Its weight follows the same rule as Multi-KD's
# (docs/method.md: a feature term starts at 2 x loss_kpt), measured with the
# LSP teacher by `multikd_lab/tools/run_lsp_campaign.py --part weights`
# (recorded in docs/data/lsp/loss_scales_64x64.json, written in
# _base_/lspet-64x64.py).
_base_ = ['../multikd_litehrnet18_lspet.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_reviewkd=dict(
            type='ReviewKDLoss',
            mid_channels=64,
            loss_weight=_base_.lsp_weights['loss_reviewkd'],
        ),
    )
)

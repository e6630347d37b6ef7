# LSP fix candidate (screened on dev, docs/lsp.md): the full method (r6)
# with a quarter of the rule's lambda. At the rule's lambda the head's
# target per logit is lambda x K x L = 1.45 times the task's (59 % teacher,
# 41 % label); at a quarter, 0.36 times (27 % teacher). A weight chosen on
# dev, stated in docs/method.md.
_base_ = ['./multikd_litehrnet18_lspet_r6_cs-mft-wa-vkd.py']

model = dict(
    distill_losses=dict(
        loss_vkd=dict(loss_weight=_base_.lsp_weights['loss_vkd'] * 0.25)
    )
)

# LSP fix candidate, second screening round (docs/lsp.md): the full method
# (r6) with a sixteenth of the rule's lambda (the head's target 8 %
# teacher: lambda x K x L = 0.09 times the task's per logit). A weight
# chosen on dev, stated in docs/method.md.
_base_ = ['./multikd_litehrnet18_lspet_r6_cs-mft-wa-vkd.py']

model = dict(
    distill_losses=dict(
        loss_vkd=dict(loss_weight=_base_.lsp_weights['loss_vkd'] * 0.0625)
    )
)

# LSP fix candidate, second screening round (docs/lsp.md): the first
# round's winner (r6 with a quarter of the rule's lambda) with the WA
# softmax at temperature 2 (a departure stated in docs/method.md).
_base_ = ['./multikd_litehrnet18_lspet_r6-vkdq_cs-mft-wa-vkdquarter.py']

model = dict(distill_losses=dict(loss_fkd=dict(attention_temperature=2.0)))

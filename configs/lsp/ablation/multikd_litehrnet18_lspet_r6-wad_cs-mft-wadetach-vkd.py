# LSP fix candidate (screened on dev, docs/lsp.md): the full method (r6)
# whose WA attention reads detached student features, so that gamma
# pushes no gradient into the student (`attention_detach_student`, a
# departure stated in docs/method.md). Rescales no term: r6's weights.
_base_ = ['./multikd_litehrnet18_lspet_r6_cs-mft-wa-vkd.py']

model = dict(distill_losses=dict(loss_fkd=dict(attention_detach_student=True)))

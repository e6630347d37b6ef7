# LSP form of Multi-KD at 128x128, the size of the rows that settle MFT
# (r2, r3): the MPII distiller config (same losses and switches) with the
# LSP teacher of this size and the LSP student, on LSPet with the LSP
# student schedule. beta and lambda follow the rule of docs/method.md,
# measured with this size's LSP teacher (`multikd_lab.tools.run_lsp_campaign
# --part weights`; written in _base_/lspet-128x128.py). The campaign command
# sets model.teacher_ckpt to the cached teacher.
_base_ = ['../multikd_litehrnet18_mpii.py', './_base_/lspet-128x128.py']

codec = dict(_delete_=True, **_base_.lsp_codec)
model = dict(
    teacher=_base_.lsp_teacher,
    student=dict(head=_base_.lsp_head),
    distill_losses=dict(
        loss_fkd=dict(loss_weight=_base_.lsp_weights['loss_fkd']),
        loss_vkd=dict(
            loss_weight=_base_.lsp_weights['loss_vkd'] * _base_.vkd_dose
        ),
    ),
)
train_cfg = _base_.lsp_train_cfg
param_scheduler = _base_.lsp_param_scheduler
optim_wrapper = _base_.lsp_optim_wrapper
default_hooks = _base_.lsp_default_hooks
train_dataloader = _base_.lsp_train_dataloader
val_dataloader = _base_.lsp_val_dataloader
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False)
randomness = dict(seed=0)

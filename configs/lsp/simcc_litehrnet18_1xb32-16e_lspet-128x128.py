# LSP student alone at 128x128 (r1 of the input-size study): the SimDR
# LiteHRNet-18 config of MPII on LSPet at 128x128 with the LSP student
# schedule, as ./simcc_litehrnet18_1xb32-16e_lspet-64x64.py at 64x64.
_base_ = [
    '../simdr/simcc_litehrnet18_8xb64-210e_mpii-256x256.py',
    './_base_/lspet-128x128.py',
]

codec = dict(_delete_=True, **_base_.lsp_codec)
model = dict(head=_base_.lsp_head)
train_cfg = _base_.lsp_train_cfg
param_scheduler = _base_.lsp_param_scheduler
optim_wrapper = _base_.lsp_optim_wrapper
default_hooks = _base_.lsp_default_hooks
train_dataloader = _base_.lsp_train_dataloader
val_dataloader = _base_.lsp_val_dataloader
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False)
randomness = dict(seed=0)

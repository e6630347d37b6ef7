# DWPose (Yang et al., ICCV 2023 workshops), its first stage as MMPose
# implements it (``DWPoseDistiller``: ``FeaLoss`` on the last backbone
# output through a 1x1 conv, ``KDLoss`` on the SimCC logits, both decayed
# linearly over the epochs), on the LSP 64x64 teacher and student. Its two
# weights follow the rule of every compared distiller (docs/method.md: the
# feature term starts at 2 x loss_kpt, the logit term at 1 x), measured with
# the LSP teacher by `multikd_lab/tools/run_lsp_campaign.py --part weights`
# (recorded in docs/data/lsp/loss_scales_64x64.json, written in
# _base_/lspet-64x64.py). ``StudentFirstDWPoseDistiller`` is MMPose's class
# with the student initialised as r1's under the same seed (paired seeds).
_base_ = ['../simcc_litehrnet18_1xb32-16e_lspet-64x64.py']

custom_imports = dict(imports=['mmpose_multikd'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='StudentFirstDWPoseDistiller',
    teacher_cfg=_base_.lsp_teacher,
    student_cfg='{{fileDirname}}/../simcc_litehrnet18_1xb32-16e_lspet-64x64.py',
    # the trained teacher (the campaign passes its cached one)
    teacher_pretrained=None,
    distill_cfg=[
        dict(
            methods=[
                dict(
                    type='FeaLoss',
                    name='loss_fea',
                    use_this=True,
                    student_channels=40,
                    teacher_channels=18,
                    alpha_fea=_base_.lsp_weights['loss_fea'],
                )
            ]
        ),
        dict(
            methods=[
                dict(
                    type='KDLoss',
                    name='loss_logit',
                    use_this=True,
                    weight=_base_.lsp_weights['loss_logit'],
                )
            ]
        ),
    ],
    data_preprocessor=_base_.model.data_preprocessor,
)

# Demo ablation row 2: cross-stage feature KD only (WA, MFT and VKD off).
_base_ = ['../multikd_litehrnet18_demo.py']

model = dict(
    distill_losses=dict(
        loss_fkd=dict(
            weight_adaptation=False,
            multi_resolution=False,
            **_base_.paper_switches['loss_fkd'],
        ),
        loss_vkd=None,
    )
)

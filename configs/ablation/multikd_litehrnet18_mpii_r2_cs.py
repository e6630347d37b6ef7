# Ablation row 2 (LiteHRNet-18): cross-stage feature KD only, uniform pair
# weights (WA off), top branch of each stage (MFT off), no VKD.
_base_ = ['../multikd_litehrnet18_mpii.py']

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

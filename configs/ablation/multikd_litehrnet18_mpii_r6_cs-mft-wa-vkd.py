# Ablation row 6 (LiteHRNet-18): the full method as the paper writes it
# (cross-stage + MFT + WA + VKD): ../multikd_litehrnet18_mpii.py with every
# departure from the paper off (`paper_switches`, docs/method.md) and
# the rule's lambda.
_base_ = ['../multikd_litehrnet18_mpii.py']

model = dict(
    distill_losses=dict(
        loss_fkd=_base_.paper_switches['loss_fkd'],
        loss_vkd=dict(
            **_base_.paper_switches['loss_vkd'],
            loss_weight=_base_.vkd_rule_weight,
        ),
    )
)

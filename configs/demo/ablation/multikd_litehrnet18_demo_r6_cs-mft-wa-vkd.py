# Demo ablation row 6: the full method as the paper writes it:
# ../multikd_litehrnet18_demo.py with every departure from the paper off
# (`paper_switches`, docs/method.md).
_base_ = ['../multikd_litehrnet18_demo.py']

model = dict(
    distill_losses=dict(
        loss_fkd=_base_.paper_switches['loss_fkd'],
        loss_vkd=dict(
            **_base_.paper_switches['loss_vkd'],
            loss_weight=_base_.vkd_rule_weight,
        ),
    )
)

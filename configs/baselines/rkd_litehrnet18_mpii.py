# Compared distiller: Park et al., CVPR 2019, 'Relational Knowledge
# Distillation': distance and angle relations of the batch's pooled last-stage
# embeddings.
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

# Weight by the one rule of docs/method.md, as for Multi-KD: a feature
# term starts at 2 x loss_kpt (measured on the demo with its trained
# teacher by multikd_lab/tools/loss_scales.py: L 721.5 at weight 1,
# loss_kpt 1.068). The paper's weight: 1 (25 / 50 inside).
model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_rkd=dict(
            type='RKDLoss',
            distance_weight=25.0,
            angle_weight=50.0,
            loss_weight=0.003,
        ),
    )
)

# RKD's relations need at least 3 samples in every batch.
train_dataloader = dict(drop_last=True)

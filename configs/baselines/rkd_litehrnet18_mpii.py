# Compared distiller: Park et al., CVPR 2019, 'Relational Knowledge
# Distillation': distance and angle relations of the batch's pooled last-stage
# embeddings.
# Same teacher, student, taps and schedule as Multi-KD; only the
# distillation loss differs.
_base_ = ['../multikd_litehrnet18_mpii.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_rkd=dict(
            type='RKDLoss',
            distance_weight=25.0,
            angle_weight=50.0,
            loss_weight=1.0,
        ),
    )
)

# RKD's relations need at least 3 samples in every batch.
train_dataloader = dict(drop_last=True)

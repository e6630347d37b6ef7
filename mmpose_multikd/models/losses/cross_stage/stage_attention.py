# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The cross-stage attention: similarity vectors of a stage's features,
their projected embeddings and the per-sample pair weights gamma.

``CrossStageAttentionKDLoss`` turns each stage's (fused) feature map into a
similarity vector per sample before projecting it to an embedding; these
are the two modes of its ``similarity`` option.
"""

from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from ...utils.batch_similarity import batch_similarity
from ...utils.resize import pool_resized
from ...utils.stage_inputs import fused_pieces

SIMILARITY_MODES = ('spatial', 'batch')


def check_similarity_options(
    similarity: str,
    batch_size: Optional[int],
    weight_adaptation: bool,
    owner: str,
) -> None:
    """Validate the similarity mode and, for ``'batch'``, its batch size.

    Args:
        similarity (str): ``'spatial'`` or ``'batch'``.
        batch_size (int, optional): The fixed batch size (``'batch'``).
        weight_adaptation (bool): Whether similarities are used at all.
        owner (str): Name of the calling loss (for error messages).
    """
    if similarity not in SIMILARITY_MODES:
        raise ValueError(
            f'{owner}: similarity must be one of {SIMILARITY_MODES}, got '
            f'{similarity!r}.'
        )
    needs_batch_size = weight_adaptation and similarity == 'batch'
    if needs_batch_size and (batch_size is None or batch_size < 1):
        raise ValueError(
            f"{owner}: similarity='batch' needs the fixed batch_size (a "
            f'positive int), got {batch_size!r}.'
        )


def check_fixed_batch_size(
    batch_size: int,
    built_batch_size: Optional[int],
    similarity: str,
    weight_adaptation: bool,
    owner: str,
) -> None:
    """In ``'batch'`` mode with weight adaptation, the projection reads rows
    of the batch Gram matrix: every batch must have the built size.

    Raises:
        ValueError: The batch size differs from the built one.
    """
    if not (weight_adaptation and similarity == 'batch'):
        return
    if batch_size != built_batch_size:
        raise ValueError(
            f'{owner}: the batch size {batch_size} differs from the '
            f'batch_size={built_batch_size} this layer was built for '
            "(similarity='batch' projects rows of the batch Gram matrix). "
            "Use drop_last=True in the dataloader or similarity='spatial'."
        )


def check_attention_options(
    temperature: float, branch_norm: bool, multi_resolution: bool, owner: str
) -> None:
    """Refuse a WA temperature <= 0 and ``branch_norm`` without MFT.

    Raises:
        ValueError: Names the option and the value.
    """
    if not temperature > 0:
        raise ValueError(
            f'{owner}: attention_temperature must be > 0, got {temperature}'
        )
    if branch_norm and not multi_resolution:
        raise ValueError(
            f'{owner}: branch_norm scales the branches that MFT fuses; it '
            'needs multi_resolution=True'
        )


def similarity_size(
    similarity: str, pool_size: int, batch_size: Optional[int]
) -> int:
    """Length of a sample's similarity vector: ``P**4`` (spatial) or the
    built batch size ``N`` (batch)."""
    return pool_size**4 if similarity == 'spatial' else batch_size


def spatial_similarity(branches: List[Tensor], pool_size: int) -> Tensor:
    """Cosine self-similarity of the pooled positions of each sample.

    The fused map ``concat_b resize(x_b)`` is adaptive-average-pooled to
    ``P x P`` positions; each position's channel vector is L2-normalised
    and the ``P^2 x P^2`` matrix of their dot products is flattened. The
    pooling is done branch by branch (:func:`pool_resized`), the same values
    without building the fused map. Independent of the batch size.

    Args:
        branches (list[Tensor]): The used branches ``(N, C_b, H_b, W_b)``,
            highest resolution first.
        pool_size (int): Pooled side ``P``.

    Returns:
        Tensor: ``(N, P**4)``.
    """
    size = branches[0].shape[-2:]
    pooled = torch.cat(
        [pool_resized(branch, size, pool_size) for branch in branches], dim=1
    )
    positions = F.normalize(pooled.flatten(2), dim=1)  # (N, C, P^2)
    return torch.bmm(positions.transpose(1, 2), positions).flatten(1)


def stage_projections(
    num_stages: int, in_features: int, embed_dim: int
) -> nn.ModuleList:
    """One ``Linear(similarity_size, embed_dim)`` per stage, projecting its
    similarity vectors to the attention's embedding space."""
    return nn.ModuleList(
        nn.Linear(in_features, embed_dim) for _ in range(num_stages)
    )


def stage_embedding(
    branches: List[Tensor],
    projection: nn.Linear,
    similarity: str,
    pool_size: int,
) -> Tensor:
    """L2-normalised projection of a stage's similarity vectors.

    Args:
        branches (list[Tensor]): The stage's used branches ``(N, C_b, H_b,
            W_b)``, highest resolution first.
        projection (nn.Linear): The stage's projection layer.
        similarity (str): ``'spatial'`` (:func:`spatial_similarity`) or
            ``'batch'`` (:func:`batch_similarity` of the fused map).
        pool_size (int): Pooled side for ``'spatial'``.

    Returns:
        Tensor: Embeddings ``(N, embed_dim)`` with unit norm.
    """
    if similarity == 'spatial':
        vectors = spatial_similarity(branches, pool_size)
    else:
        vectors = batch_similarity(torch.cat(fused_pieces(branches), 1))
    return F.normalize(projection(vectors), dim=1)


def pair_attention_weights(
    student_embeds: Sequence[Tensor],
    teacher_embeds: Sequence[Tensor],
    valid_pairs: Sequence[Tuple[int, int]],
    temperature: float = 1.0,
) -> Tensor:
    """Per-sample attention weights over the valid stage pairs:

    .. math::

        \\gamma_i(l, m) = \\frac{\\exp(S_m[i] \\cdot T_l[i] / \\tau)}
            {\\sum_{(l', m')} \\exp(S_{m'}[i] \\cdot T_{l'}[i] / \\tau)}

    ``tau = 1`` is the paper's formula. The embeddings have unit norm, so
    a logit lies in ``[-1, 1]`` and no pair weighs more than
    ``exp(2 / tau)`` times another.

    Args:
        student_embeds (Sequence[Tensor]): ``S_m``, ``(N, D)`` per student
            stage.
        teacher_embeds (Sequence[Tensor]): ``T_l``, ``(N, D)`` per teacher
            stage.
        valid_pairs (Sequence[tuple[int, int]]): ``(l, m)`` pairs.
        temperature (float): ``tau``. Defaults to 1.0.

    Returns:
        Tensor: gamma ``(N, len(valid_pairs))``, each row sums to 1.
    """
    logits = torch.stack(
        [
            (teacher_embeds[t_idx] * student_embeds[s_idx]).sum(dim=1)
            for t_idx, s_idx in valid_pairs
        ],
        dim=1,
    )
    return (logits / temperature).softmax(dim=1)

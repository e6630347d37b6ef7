# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Cross-stage feature KD with per-sample attention over stage pairs."""

from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmpose.registry import MODELS
from torch import Tensor

from ...utils.precision import float32_forward
from ...utils.stage_inputs import (
    ChannelSpec,
    StageFeature,
    check_batch_sizes,
    fused_pieces,
    pair_grid_index,
    pairs_to_grid,
    parse_stage_channels,
    stage_branches,
)
from ..distill_loss import DistillLoss
from .aligned_distance import (
    TeacherStageMoments,
    pair_module_distance,
    stage_pair_distances,
)
from .aligner_batch_stats import check_aligner_norms
from .branch_aligner import BranchAligner
from .branch_energy import equalise_branch_energy
from .stage_attention import (
    check_attention_options,
    check_fixed_batch_size,
    check_similarity_options,
    pair_attention_weights,
    similarity_size,
    stage_embedding,
    stage_projections,
)

OWNER = 'CrossStageAttentionKDLoss'


@MODELS.register_module()
class CrossStageAttentionKDLoss(DistillLoss):
    """Cross-stage feature distillation with adaptable learning weights.

    Every teacher stage ``l`` is paired with every student stage ``m`` at the
    same depth or later (a pair ``(l, m)`` is valid iff ``m >= l``, stages
    counted from 0). For each sample ``i`` the loss is

    .. math::

        L_{fkd} = w \\cdot \\sum_{i=1}^{N} \\sum_{l}
            \\sum_{m \\geq l} \\gamma_i(l, m)\\,
            D\\big(F^t_l[i], f_{lm}(F^s_m[i])\\big)

    where ``w`` is ``loss_weight``, ``D`` the mean squared error over the
    teacher's ``C x H x W`` map and ``f_lm`` a learned alignment (1x1 conv
    without bias + BatchNorm to the teacher stage's channels,
    :class:`BranchAligner`; the aligned map is resized bilinearly to the
    teacher's spatial size when the sizes differ). The samples are summed,
    as the source writes it and as MMPose's ``KLDiscretLoss`` (the task
    loss) sums them: ``beta * L_fkd / L_task`` then does not depend on the
    batch size.
    Teacher stages deeper than the last student stage take part in no
    pair: their inputs are checked but get no aligner and no projection
    layer.

    Attention weights (``weight_adaptation=True``, "WA"): each stage's fused
    feature map is turned into a similarity vector, projected by a linear
    layer owned by that stage (one set for the student stages, one for the
    teacher stages) and L2-normalised, giving embeddings ``S_m[i]`` and
    ``T_l[i]``. Then

    .. math::

        \\gamma_i(l, m) = \\frac{\\exp(S_m[i] \\cdot T_l[i])}
            {\\sum_{l'} \\sum_{m' \\geq l'} \\exp(S_{m'}[i] \\cdot T_{l'}[i])}

    i.e. a softmax over the valid pairs of the same sample (invalid pairs
    have weight 0, as if their logit were ``-inf``). With
    ``weight_adaptation=False`` every valid pair gets the uniform weight
    ``1 / len(valid_pairs)`` and no projection layer is built.

    Similarity vector (``similarity``): ``'spatial'`` (default, any batch
    size), the cosine self-similarity of the map pooled to ``pool_size``
    squared positions (:func:`spatial_similarity`); ``'batch'`` (SemCKD),
    the sample's row of the batch Gram matrix (:func:`batch_similarity`),
    which ties the projection to one ``batch_size`` (``drop_last=True``).

    Multi-resolution feature transfer (``multi_resolution=True``, "MFT"):
    the source names this switch without defining it; this is our
    definition. HRNet-family stages output several branches (highest
    resolution first). With MFT on, all branches of a stage are resized
    (bilinear, ``align_corners=False``) to the first branch's spatial size
    and concatenated along the channels, so the stage feature has
    ``sum(branch_channels)`` channels. With MFT off only the first
    (highest-resolution) branch is distilled.

    Teacher features are detached at the input (no gradient reaches the
    teacher), but the teacher projection layers are trainable: gamma carries
    gradient into both sets of projection layers and into the student
    features. The loss owns learnable parameters (aligners, projections),
    which must be optimised together with the student.

    Args:
        student_channels (Sequence[int | Sequence[int]]): Per student stage,
            its channels: an int for a single-branch stage or the channels
            of each branch, highest resolution first. E.g. LiteHRNet-18:
            ``[[40, 80], [40, 80, 160], [40, 80, 160, 320]]``.
        teacher_channels (Sequence[int | Sequence[int]]): The same for the
            teacher stages, e.g. HRNet-W32: ``[[32, 64], [32, 64, 128],
            [32]]``.
        weight_adaptation (bool): Learn per-sample pair weights gamma (WA).
            Off: uniform weights. Defaults to True.
        multi_resolution (bool): Fuse all branches of a stage (MFT, see
            above). Off: only the first branch. Defaults to True.
        similarity (str): ``'spatial'`` or ``'batch'``. Defaults to
            ``'spatial'``.
        embed_dim (int): Size of the stage embeddings. Defaults to 128.
        pool_size (int): Pooled grid side for ``similarity='spatial'``.
            Defaults to 8.
        batch_size (int, optional): The fixed batch size, required for
            ``similarity='batch'`` with weight adaptation. Defaults to None.
        loss_weight (float): Weight ``w`` of the loss. Defaults to 1.0.
        attention_temperature (float): ``tau`` of the WA softmax,
            ``gamma = softmax(S_m[i] . T_l[i] / tau)``; 1 is the paper's.
            Defaults to 1.0.
        attention_detach_student (bool): Compute the student embeddings
            ``S_m`` from detached student features: gamma then pushes no
            gradient into the student (only into the projections); the
            distances ``D`` still do. False is the paper's. Defaults to
            False.
        branch_norm (bool): With MFT, scale each teacher branch per sample
            before fusion so that every branch holds the same share of the
            target's energy (:func:`equalise_branch_energy`). False is the
            paper's (raw branches). Defaults to False.

    The last three depart from the paper (``docs/method.md``).

    The distances of a student stage's pairs come together from
    per-channel moments (:func:`stage_pair_distances`), without building
    the aligned maps; other stages go pair by pair through the aligners.

    Under autocast (AMP) the loss computes in float32
    (:func:`float32_forward`). With ``sync_bn='torch'`` the moments' batch
    statistics are all-reduced over the ranks; other norm classes are
    refused with the module's path (``docs/method.md``).
    """

    # What ``MultiKDDistiller`` calls the loss with (``distill_loss``).
    distill_inputs = ('student_stage_feats', 'teacher_stage_feats')

    def __init__(
        self,
        student_channels: Sequence[ChannelSpec],
        teacher_channels: Sequence[ChannelSpec],
        weight_adaptation: bool = True,
        multi_resolution: bool = True,
        similarity: str = 'spatial',
        embed_dim: int = 128,
        pool_size: int = 8,
        batch_size: Optional[int] = None,
        loss_weight: float = 1.0,
        attention_temperature: float = 1.0,
        attention_detach_student: bool = False,
        branch_norm: bool = False,
    ) -> None:
        super().__init__()
        check_attention_options(
            attention_temperature, branch_norm, multi_resolution, OWNER
        )
        self.attention_temperature = float(attention_temperature)
        self.attention_detach_student = attention_detach_student
        self.branch_norm = branch_norm
        self.student_channels = parse_stage_channels(
            student_channels, 'student', OWNER
        )
        self.teacher_channels = parse_stage_channels(
            teacher_channels, 'teacher', OWNER
        )
        check_similarity_options(
            similarity, batch_size, weight_adaptation, OWNER
        )
        self.weight_adaptation = weight_adaptation
        self.multi_resolution = multi_resolution
        self.similarity = similarity
        self.embed_dim = embed_dim
        self.pool_size = pool_size
        self.batch_size = batch_size
        self.loss_weight = float(loss_weight)

        self.student_stage_channels = self._stage_channels(
            self.student_channels
        )
        self.teacher_stage_channels = self._stage_channels(
            self.teacher_channels
        )
        self._valid_pairs = [
            (t_idx, s_idx)
            for t_idx in range(self.num_teacher_stages)
            for s_idx in range(self.num_student_stages)
            if s_idx >= t_idx
        ]
        # where each pair's gamma and D go in the (L, M) grids, on the
        # loss's device (moved with it, not saved in checkpoints)
        self.register_buffer(
            'pair_grid_index',
            pair_grid_index(self._valid_pairs, self.num_student_stages),
            persistent=False,
        )
        self.aligners = nn.ModuleDict(
            {
                self.pair_key(t_idx, s_idx): BranchAligner(
                    self._used_branches(self.student_channels[s_idx]),
                    self.teacher_stage_channels[t_idx],
                )
                for t_idx, s_idx in self._valid_pairs
            }
        )
        if weight_adaptation:
            in_features = similarity_size(similarity, pool_size, batch_size)
            self.student_projections = stage_projections(
                self.num_student_stages, in_features, embed_dim
            )
            self.teacher_projections = stage_projections(
                self.num_paired_teacher_stages, in_features, embed_dim
            )
        self.last_weights: Optional[Tensor] = None
        self.last_distances: Optional[Tensor] = None

    @property
    def num_student_stages(self) -> int:
        """int: Number of student stages."""
        return len(self.student_channels)

    @property
    def num_teacher_stages(self) -> int:
        """int: Number of teacher stages."""
        return len(self.teacher_channels)

    @property
    def num_paired_teacher_stages(self) -> int:
        """int: Teacher stages that take part in at least one pair."""
        return min(self.num_teacher_stages, self.num_student_stages)

    @property
    def valid_pairs(self) -> List[Tuple[int, int]]:
        """list[tuple[int, int]]: The valid ``(teacher, student)`` pairs."""
        return list(self._valid_pairs)

    @staticmethod
    def pair_key(teacher_stage: int, student_stage: int) -> str:
        """Key of the aligner of a pair in :attr:`aligners`."""
        return f't{teacher_stage}_s{student_stage}'

    @float32_forward
    def forward(
        self,
        student_stage_feats: Sequence[StageFeature],
        teacher_stage_feats: Sequence[StageFeature],
    ) -> Tensor:
        """Compute the cross-stage attention KD loss.

        Args:
            student_stage_feats (Sequence[Tensor | Sequence[Tensor]]): Per
                student stage, a tensor ``(N, C, H, W)`` or the branch
                tensors, highest resolution first.
            teacher_stage_feats (Sequence[Tensor | Sequence[Tensor]]): The
                same for the teacher stages (detached here).

        Returns:
            Tensor: The scalar loss. After the call :attr:`last_weights`
            holds the detached gamma and :attr:`last_distances` the
            detached ``D``, both shaped ``(N, L, M)`` (teacher stages,
            student stages), 0 on invalid pairs.
        """
        check_aligner_norms(self.aligners, OWNER)
        student_branches = stage_branches(
            student_stage_feats, self.student_channels, 'student', OWNER
        )
        teacher_branches = [
            [branch.detach() for branch in stage]
            for stage in stage_branches(
                teacher_stage_feats, self.teacher_channels, 'teacher', OWNER
            )
        ]
        check_fixed_batch_size(
            check_batch_sizes(student_branches, teacher_branches, OWNER),
            self.batch_size,
            self.similarity,
            self.weight_adaptation,
            OWNER,
        )
        teacher_branches = teacher_branches[: self.num_paired_teacher_stages]
        if self.branch_norm:
            teacher_branches = [
                equalise_branch_energy(stage) for stage in teacher_branches
            ]

        teacher_stages = [
            self._used_branches(stage) for stage in teacher_branches
        ]
        distances = self._pair_distances(teacher_stages, student_branches)
        weights = self._pair_weights(
            student_branches, teacher_branches, distances
        )
        grid = (
            self.pair_grid_index,
            self.num_teacher_stages,
            self.num_student_stages,
        )
        self.last_weights = pairs_to_grid(weights.detach(), *grid)
        self.last_distances = pairs_to_grid(distances.detach(), *grid)
        loss = (weights * distances).sum()
        return loss * self.loss_weight

    def _pair_distances(
        self,
        teacher_stages: List[List[Tensor]],
        student_branches: List[List[Tensor]],
    ) -> Tensor:
        """Distances ``D`` of all valid pairs, student stage by stage.

        The pairs of a student stage share its branches: their distances
        come from one :func:`stage_pair_distances` call, with each teacher
        stage's moments computed once for all the student stages it is
        paired with. A stage whose teacher maps are not at its top
        branch's size goes pair by pair through :func:`pair_module_distance`
        (aligner module, resizing, MSE).

        Args:
            teacher_stages (list[list[Tensor]]): Per teacher stage, its
                used (detached) branches.
            student_branches (list[list[Tensor]]): Student stage branches.

        Returns:
            Tensor: ``(N, num_pairs)`` in :attr:`valid_pairs` order.
        """
        moments: Dict[int, TeacherStageMoments] = {}
        columns = {}
        for s_idx, branches in enumerate(student_branches):
            pairs = [pair for pair in self._valid_pairs if pair[1] == s_idx]
            if not pairs:
                continue
            used = self._used_branches(branches)
            size = used[0].shape[-2:]
            if all(teacher_stages[t][0].shape[-2:] == size for t, _ in pairs):
                for t_idx, _ in pairs:
                    if t_idx not in moments:
                        moments[t_idx] = TeacherStageMoments(
                            teacher_stages[t_idx]
                        )
                aligners = [self.aligners[self.pair_key(*p)] for p in pairs]
                stage = stage_pair_distances(
                    used, aligners, [moments[t_idx] for t_idx, _ in pairs]
                )
                columns.update(zip(pairs, stage.unbind(dim=1)))
                continue
            for t_idx, _ in pairs:
                columns[(t_idx, s_idx)] = pair_module_distance(
                    self.aligners[self.pair_key(t_idx, s_idx)],
                    used,
                    torch.cat(fused_pieces(teacher_stages[t_idx]), dim=1),
                )
        return torch.stack([columns[p] for p in self._valid_pairs], dim=1)

    def _pair_weights(
        self,
        student_branches: List[List[Tensor]],
        teacher_branches: List[List[Tensor]],
        distances: Tensor,
    ) -> Tensor:
        """Per-sample weights gamma of the valid pairs.

        Args:
            student_branches (list[list[Tensor]]): Student stage branches.
            teacher_branches (list[list[Tensor]]): The (detached) branches
                of the paired teacher stages.
            distances (Tensor): Pair distances ``(N, num_pairs)``, used for
                the shape, dtype and device of the uniform weights.

        Returns:
            Tensor: gamma ``(N, num_pairs)``, each row sums to 1.
        """
        if not self.weight_adaptation:
            return torch.full_like(distances, 1.0 / len(self._valid_pairs))
        if self.attention_detach_student:
            student_branches = [
                [branch.detach() for branch in stage]
                for stage in student_branches
            ]
        return pair_attention_weights(
            self._stage_embeddings(student_branches, self.student_projections),
            self._stage_embeddings(teacher_branches, self.teacher_projections),
            self._valid_pairs,
            self.attention_temperature,
        )

    def _stage_embeddings(
        self, stages: List[List[Tensor]], projections: nn.ModuleList
    ) -> List[Tensor]:
        """The L2-normalised embedding ``(N, embed_dim)`` of each stage."""
        return [
            stage_embedding(
                self._used_branches(branches),
                projection,
                self.similarity,
                self.pool_size,
            )
            for branches, projection in zip(stages, projections)
        ]

    def _used_branches(self, branches: Sequence) -> list:
        """All branches (tensors or channels) with MFT, else the top one."""
        return list(branches) if self.multi_resolution else [branches[0]]

    def log_vars(self) -> Dict[str, Tensor]:
        """The batch-mean gamma of each valid pair of the last call.

        Only with ``weight_adaptation=True`` (without it gamma is the
        constant ``1 / len(valid_pairs)``). ``MultiKDDistiller`` adds
        these to its loss dict, so MMEngine's logger writes them as
        training scalars (``gamma_t{l}_s{m}``, teacher stage ``l``, student
        stage ``m``, from 0); nothing is optimised on them (their names do
        not contain ``loss``).

        Returns:
            dict[str, Tensor]: Empty before the first call.
        """
        if self.last_weights is None or not self.weight_adaptation:
            return {}
        mean_grid = self.last_weights.mean(dim=0)
        return {
            f'gamma_t{t_idx}_s{s_idx}': mean_grid[t_idx, s_idx]
            for t_idx, s_idx in self.valid_pairs
        }

    def _stage_channels(self, branch_channels: List[List[int]]) -> List[int]:
        """Channels of each stage feature after (optional) fusion."""
        return [
            sum(self._used_branches(branches)) for branches in branch_channels
        ]

# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Per-iteration cost of distillation against its floor and its peer.

    python -m multikd_lab.tools.benchmark_train \\
        configs/multikd_litehrnet18_mpii.py \\
        --batch-size 16 --out work_dirs/benchmarks/train.json

Measured interleaved in one process (see ``multikd_lab.benchmarking``),
on one synthetic batch of the config's input size packed by MMPose's own
``GenerateTarget`` and ``PackPoseInputs``:

- (a) ``student_step``: the student's own training step (MMEngine's
  ``train_step``: preprocessing, forward, backward, Adam step);
- (b) ``teacher_forward``: the teacher's forward in eval under
  ``torch.no_grad()`` on the preprocessed batch;
- (c) ``multikd_step``: ``MultiKDDistiller``'s training step;
- (d) ``dwpose_step``: MMPose's ``DWPoseDistiller`` (feature + logit KD on
  the last backbone output) on the same teacher and student;
- (e) ``aligner_convs``: only the multiply-adds of the 1x1 convolutions
  ``W_b x_b`` that ``CrossStageAttentionKDLoss``'s alignments ``f_lm``
  consist of, in their cheapest form: one conv per used student branch
  producing the channels of every pair of its stage at once (contiguous
  stacked weights), forward and backward, on the student features tapped
  from one distiller step. No resizing, BatchNorm, MSE, attention or KL:
  a lower bound on what the aligned maps cost when they are built;
- (f) ``cross_stage_loss``: ``CrossStageAttentionKDLoss`` alone, forward
  and backward, on the stage features tapped from one distiller step;
- (g) ``networks_in_sequence``: (b) then (a) in one call, what every
  distiller step runs before its losses (two networks' working sets in
  one iteration, without any loss between them).

Reports ``c / (a + b + e)`` (the target), ``c / (a + b)``, ``c / d``
(against the peer), ``(a + b + e) / (a + b)`` and ``g / (a + b)``, the
cost of running both networks in one step over their separate costs.
Peak memory: per case, a clean subprocess (its peak RSS on the CPU,
``torch.cuda.max_memory_allocated`` on a GPU). Teacher weights are
random: timing does not depend on them.
"""

import argparse
import os
import os.path as osp
import tempfile
from typing import Callable, Dict, List, Optional, Tuple

import torch
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

from mmpose_multikd.models.utils import load_model_config
from mmpose_multikd.utils import keep_freed_memory
from multikd_lab.benchmarking import (
    adam,
    build_aligner_convs,
    build_cross_stage_loss,
    interleaved_timings,
    machine_info,
    markdown_table,
    median_ms,
    memory_in_subprocess,
    report_child_memory,
    runtime_baseline_rss_mb,
    synthetic_batch,
    write_report,
)

CASES = (
    'student_step',
    'teacher_forward',
    'multikd_step',
    'dwpose_step',
    'aligner_convs',
    'cross_stage_loss',
    'networks_in_sequence',
)
# DWPose's first-stage settings in MMPose's configs.
DWPOSE_FEATURE_WEIGHT = 7e-5
DWPOSE_LOGIT_WEIGHT = 0.1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'config',
        nargs='?',
        default='configs/multikd_litehrnet18_mpii.py',
        help='a MultiKDDistiller config',
    )
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--no-memory', action='store_true')
    parser.add_argument(
        '--malloc',
        choices=('keep', 'default'),
        default='keep',
        help="'keep': glibc keeps freed memory for every case, as the "
        "configs' KeepFreedMemoryHook does in training; 'default': glibc "
        'as it comes (default: %(default)s)',
    )
    parser.add_argument('--out', default='work_dirs/benchmarks/train.json')
    parser.add_argument(
        '--profile',
        choices=CASES,
        help='instead of timing: profile this case with torch.profiler and '
        'print its top operators by self CPU time',
    )
    parser.add_argument(
        '--profile-steps', type=int, default=2, help='profiled steps'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help="override settings of the config, as in MMPose's tools, e.g. "
        'model.distill_losses.loss_fkd.weight_adaptation=False',
    )
    parser.add_argument('--memory-case', choices=CASES, help='(internal)')
    return parser.parse_args()


def build_student(cfg: Config, device: str):
    return MODELS.build(load_model_config(cfg.model.student)).to(device)


def build_teacher(cfg: Config, device: str):
    teacher = MODELS.build(load_model_config(cfg.model.teacher)).to(device)
    return teacher.eval().requires_grad_(False)


def build_dwpose(cfg: Config, device: str, tmp_dir: str):
    """MMPose's DWPoseDistiller on the config's teacher and student."""
    paths = {}
    for role in ('teacher', 'student'):
        paths[role] = osp.join(tmp_dir, f'{role}.py')
        model_cfg = load_model_config(cfg.model[role])
        Config(dict(model=model_cfg.to_dict())).dump(paths[role])
    channels = last_feature_channels(cfg, device)
    distiller = MODELS.build(
        dict(
            type='DWPoseDistiller',
            teacher_cfg=paths['teacher'],
            student_cfg=paths['student'],
            # DWPose reads its losses by attribute: ConfigDicts, as from a file
            distill_cfg=[
                ConfigDict(
                    methods=[
                        dict(
                            type='FeaLoss',
                            name='loss_fea',
                            use_this=True,
                            student_channels=channels['student'],
                            teacher_channels=channels['teacher'],
                            alpha_fea=DWPOSE_FEATURE_WEIGHT,
                        ),
                        dict(
                            type='KDLoss',
                            name='loss_logit',
                            use_this=True,
                            weight=DWPOSE_LOGIT_WEIGHT,
                        ),
                    ]
                )
            ],
            data_preprocessor=load_model_config(
                cfg.model.student
            ).data_preprocessor,
        )
    )
    # DWPose decays its losses by epoch / max_epochs from the MessageHub.
    hub = MessageHub.get_current_instance()
    hub.update_info('epoch', 0)
    hub.update_info('max_epochs', 210)
    return distiller.to(device)


@torch.no_grad()
def last_feature_channels(cfg: Config, device: str) -> Dict[str, int]:
    """Channels of the last backbone output of the teacher and student."""
    inputs = torch.zeros(1, 3, 64, 64, device=device)
    return {
        'student': build_student(cfg, device)
        .eval()
        .extract_feat(inputs)[-1]
        .shape[1],
        'teacher': build_teacher(cfg, device)
        .extract_feat(inputs)[-1]
        .shape[1],
    }


def build_case(
    name: str, cfg: Config, batch: dict, device: str, tmp_dir: str
) -> Callable[[], object]:
    """A call running one step of case ``name`` on ``batch``."""
    if name == 'aligner_convs':
        return build_aligner_convs(cfg, batch, device)
    if name == 'cross_stage_loss':
        return build_cross_stage_loss(cfg, batch, device)
    if name == 'networks_in_sequence':
        teacher_forward = build_case('teacher_forward', cfg, batch, device, '')
        student_step = build_case('student_step', cfg, batch, device, '')

        def networks_in_sequence():
            teacher_forward()
            return student_step()

        return networks_in_sequence
    if name == 'teacher_forward':
        teacher = build_teacher(cfg, device)
        inputs = teacher.data_preprocessor(batch, False)['inputs']

        def teacher_forward():
            with torch.no_grad():
                return teacher(inputs, None, mode='tensor')

        return teacher_forward
    if name == 'student_step':
        model = build_student(cfg, device).train()
    elif name == 'multikd_step':
        model = MODELS.build(cfg.model).to(device).train()
    else:
        model = build_dwpose(cfg, device, tmp_dir).train()
    optim_wrapper = adam(model)
    return lambda: model.train_step(batch, optim_wrapper)


def make_batch(cfg: Config, batch_size: int) -> dict:
    """A batch labelled by the student head's own codec."""
    head = load_model_config(cfg.model.student).head
    return synthetic_batch(head.decoder, batch_size, head.out_channels)


def run_memory_child(args: argparse.Namespace, cfg: Config) -> None:
    baseline = runtime_baseline_rss_mb()
    batch = make_batch(cfg, args.batch_size)
    with tempfile.TemporaryDirectory() as tmp_dir:
        step = build_case(args.memory_case, cfg, batch, args.device, tmp_dir)
        for _ in range(3):
            step()
    report_child_memory(baseline)


def profile_case(args: argparse.Namespace, cfg: Config) -> None:
    """Print and write the top operators of one case by self CPU time.

    One untimed step first (allocations, lazy inits), then
    ``--profile-steps`` profiled steps; the table is written beside
    ``--out`` as ``<out>_profile_<case>.txt``.
    """
    from torch.profiler import ProfilerActivity, profile

    batch = make_batch(cfg, args.batch_size)
    with tempfile.TemporaryDirectory() as tmp_dir:
        step = build_case(args.profile, cfg, batch, args.device, tmp_dir)
        step()
        activities = [ProfilerActivity.CPU]
        if args.device.startswith('cuda'):
            activities.append(ProfilerActivity.CUDA)
        with profile(activities=activities, profile_memory=True) as prof:
            for _ in range(args.profile_steps):
                step()
    table = prof.key_averages().table(
        sort_by='self_cpu_time_total', row_limit=25, max_name_column_width=40
    )
    print(table)
    out = f'{osp.splitext(args.out)[0]}_profile_{args.profile}.txt'
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w') as f:
        f.write(table)
    print(f'wrote {out}')


def cfg_options_argv(cfg_options: Optional[dict]) -> List[str]:
    """``--cfg-options`` again for a child process (scalar values)."""
    if not cfg_options:
        return []
    return ['--cfg-options'] + [
        f'{key}={value}' for key, value in cfg_options.items()
    ]


def measure_memory(
    args: argparse.Namespace, cfg: Config, cases: Dict[str, Callable]
) -> Dict[str, Tuple[float, float]]:
    """Peak memory per case: (peak_mb, peak_over_import_mb)."""
    memory = {}
    for name in cases:
        # A clean process per case: no other case's model, gradients or
        # optimizer state is resident (RSS on the CPU, CUDA's allocator
        # peak on a GPU).
        child = memory_in_subprocess(
            [
                '-m',
                'multikd_lab.tools.benchmark_train',
                args.config,
                '--batch-size',
                str(args.batch_size),
                '--memory-case',
                name,
                '--malloc',
                args.malloc,
                '--device',
                args.device,
                *cfg_options_argv(args.cfg_options),
            ]
        )
        if args.device.startswith('cuda'):
            memory[name] = (child['peak_gpu_mb'], None)
        else:
            memory[name] = (
                child['peak_rss_mb'],
                child['peak_over_import_mb'],
            )
    return memory


def main() -> None:
    args = parse_args()
    init_default_scope('mmpose')
    import mmpose_multikd  # noqa: F401  (registers the distiller)

    if args.malloc == 'keep':
        keep_freed_memory()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if cfg.model.get('type') != 'MultiKDDistiller':
        raise ValueError(
            f'{args.config} is not a MultiKDDistiller config '
            f'(model.type={cfg.model.get("type")!r})'
        )
    if args.memory_case:
        run_memory_child(args, cfg)
        return
    if args.profile:
        profile_case(args, cfg)
        return

    batch = make_batch(cfg, args.batch_size)
    with tempfile.TemporaryDirectory() as tmp_dir:
        cases = {
            name: build_case(name, cfg, batch, args.device, tmp_dir)
            for name in CASES
        }
        timings = interleaved_timings(
            cases, args.warmup, args.repeats, args.device
        )
        memory = {} if args.no_memory else measure_memory(args, cfg, cases)
    report(args, timings, memory)


def report(
    args: argparse.Namespace,
    timings: Dict[str, list],
    memory: Dict[str, Tuple[float, float]],
) -> None:
    ms = {name: median_ms(seconds) for name, seconds in timings.items()}
    floor = ms['student_step'] + ms['teacher_forward']
    conv_floor = floor + ms['aligner_convs']
    ratios = {
        'multikd_over_floor_with_aligner_convs': ms['multikd_step']
        / conv_floor,
        'multikd_over_floor': ms['multikd_step'] / floor,
        'multikd_over_dwpose': ms['multikd_step'] / ms['dwpose_step'],
        'dwpose_over_floor': ms['dwpose_step'] / floor,
        'floor_with_aligner_convs': (floor + ms['aligner_convs']) / floor,
        'networks_in_sequence_over_floor': ms['networks_in_sequence'] / floor,
        'multikd_over_sequence_with_aligner_convs': ms['multikd_step']
        / (ms['networks_in_sequence'] + ms['aligner_convs']),
        'cross_stage_loss_over_aligner_convs': ms['cross_stage_loss']
        / ms['aligner_convs'],
    }
    rows = [
        dict(
            case=name,
            ms=ms[name],
            min_ms=1000.0 * min(timings[name]),
            max_ms=1000.0 * max(timings[name]),
            images_per_s=1000.0 * args.batch_size / ms[name],
            peak_mb=memory.get(name, (None, None))[0],
            peak_over_import_mb=memory.get(name, (None, None))[1],
        )
        for name in CASES
    ]
    table = markdown_table(
        rows,
        [
            ('case', 'case'),
            ('ms', 'median ms / iter'),
            ('min_ms', 'min'),
            ('max_ms', 'max'),
            ('images_per_s', 'images / s'),
            ('peak_mb', 'peak memory (MB)'),
            ('peak_over_import_mb', 'peak above imports (MB)'),
        ],
    )
    table += '\n\n' + '\n'.join(
        [
            '- c / (a + b + e) = '
            f'{ratios["multikd_over_floor_with_aligner_convs"]:.3f} '
            '(the target: <= 1.05)',
            f'- c / (a + b) = {ratios["multikd_over_floor"]:.3f}',
            f'- c / d = {ratios["multikd_over_dwpose"]:.3f}',
            f'- d / (a + b) = {ratios["dwpose_over_floor"]:.3f}',
            '- (a + b + e) / (a + b) = '
            f'{ratios["floor_with_aligner_convs"]:.3f}',
            '- g / (a + b) = '
            f'{ratios["networks_in_sequence_over_floor"]:.3f} (both '
            'networks in one call, no loss)',
            '- c / (g + e) = '
            f'{ratios["multikd_over_sequence_with_aligner_convs"]:.3f}',
            '- f / e = '
            f'{ratios["cross_stage_loss_over_aligner_convs"]:.3f} (the '
            'cross-stage loss alone over its convolutions)',
        ]
    )
    if memory:
        extra = {
            name: memory[name][1]
            if memory[name][1] is not None
            else memory[name][0]
            for name in ('student_step', 'multikd_step')
        }
        ratios['multikd_memory_over_student_mb'] = (
            extra['multikd_step'] - extra['student_step']
        )
        table += (
            '\n- peak memory of c above that of a = '
            f'{ratios["multikd_memory_over_student_mb"]:.0f} MB '
            '(the target: <= 500 MB)'
        )
    print(table)
    write_report(
        args.out,
        table,
        dict(
            args=vars(args),
            machine=machine_info(args.device),
            rows=rows,
            ratios=ratios,
            timings_s=timings,
        ),
    )


if __name__ == '__main__':
    main()

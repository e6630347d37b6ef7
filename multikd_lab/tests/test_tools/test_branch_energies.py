# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``multikd_lab.tools.branch_energies``: each branch's share of MFT's fused
teacher target, against a naive recomputation."""

import json

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmpose.registry import MODELS

from tests.helpers import REPO_ROOT

from ..helpers import lab_tool

TEACHER_CFG = (
    REPO_ROOT
    / 'tests'
    / 'data'
    / 'configs'
    / 'simcc_hrnet-w32_tiny_mpii-64x64.py'
)


def test_energy_sums_are_those_of_the_upsampled_branches():
    tool = lab_tool('branch_energies')
    generator = torch.Generator().manual_seed(0)
    stages = [
        [torch.randn(2, 4, 16, 16, generator=generator)],
        [
            torch.randn(2, 4, 16, 16, generator=generator),
            3 * torch.randn(2, 8, 8, 8, generator=generator),
            torch.randn(2, 16, 4, 4, generator=generator),
        ],
    ]
    sums = tool.fused_energy_shares(stages)
    for stage, stage_sums in zip(stages, sums):
        for branch, value in zip(stage, stage_sums):
            naive = F.interpolate(
                branch.double(), (16, 16), mode='bilinear', align_corners=False
            )
            assert value == pytest.approx(float((naive**2).sum()), rel=1e-9)
    # the scaled branch holds more of the energy
    assert sums[1][1] > sums[1][0]


def test_report_on_generated_data(mpii_root, tmp_path, one_torch_thread):
    tool = lab_tool('branch_energies')
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(str(TEACHER_CFG)).model)
    checkpoint = tmp_path / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, checkpoint)
    out = tmp_path / 'energies.json'
    tool.main(
        [
            str(TEACHER_CFG),
            str(checkpoint),
            '--data-root',
            mpii_root,
            '--num-images',
            '2',
            '--out',
            str(out),
        ]
    )
    report = json.loads(out.read_text())
    assert report['input_size'] == '64x64' and report['images'] >= 2
    assert len(report['stages']) >= 2
    for stage in report['stages']:
        shares = [branch['share'] for branch in stage['branches']]
        assert sum(shares) == pytest.approx(1.0)
        sides = [branch['side'] for branch in stage['branches']]
        assert sides == sorted(sides, reverse=True)  # top branch first
    assert (tmp_path / 'energies.md').read_text().startswith('Fused MFT')

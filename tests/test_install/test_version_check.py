# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The supported ranges of the host stack: one table (``version.SUPPORTED``)
behind ``install_requires``, the constraints files and the check that
``import mmpose_multikd`` runs."""

import subprocess
import sys

import pytest
from packaging.requirements import Requirement

from mmpose_multikd.version import (
    SUPPORTED,
    check_stack_versions,
    requirement,
    unsupported_versions,
)

from ..helpers import REPO_ROOT

REQUIREMENTS = REPO_ROOT / 'requirements'
OPENMMLAB = ('mmengine', 'mmcv', 'mmpose', 'mmdet')


def release(version: str) -> tuple:
    """'2.1.2+cu121' -> (2, 1, 2, 0): the release numbers, padded."""
    numbers = version.split('+')[0].split('.')
    return tuple(int(n) for n in numbers) + (0,) * (4 - len(numbers))


def naive_in_range(name: str, version: str) -> bool:
    lowest, first_unsupported = SUPPORTED[name]
    if release(version) < release(lowest):
        return False
    return first_unsupported is None or release(version) < release(
        first_unsupported
    )


def read_lines(path) -> list:
    return [
        line.strip()
        for line in open(path)
        if line.strip() and not line.startswith('#')
    ]


CASES = [
    ('torch', '2.0.1'),
    ('torch', '2.1.0'),
    ('torch', '2.1.2+cu121'),
    ('torch', '2.14.1'),
    ('mmengine', '0.10.2'),
    ('mmengine', '0.10.3'),
    ('mmengine', '0.10.7'),
    ('mmengine', '1.0.0'),
    ('mmcv', '2.0.1'),
    ('mmcv', '2.1.0'),
    ('mmcv', '2.2.0'),
    ('mmpose', '1.2.0'),
    ('mmpose', '1.3.1'),
    ('mmpose', '1.3.2'),
    ('mmpose', '1.4.0'),
    ('mmdet', '3.1.0'),
    ('mmdet', '3.3.0'),
    ('mmdet', '3.4.0'),
]


@pytest.mark.parametrize('name,version', CASES)
def test_range_matches_naive_comparison(name, version):
    problems = unsupported_versions({name: version})
    assert (name not in problems) == naive_in_range(name, version)
    if name in problems:
        assert f'{name} {version} is installed' in problems[name]
        assert requirement(name) in problems[name]


def test_check_names_every_package_out_of_range():
    found = dict(
        torch='2.0.1', mmengine='0.10.7', mmcv='2.2.0', mmpose='1.3.2'
    )
    with pytest.raises(ImportError) as error:
        check_stack_versions(found)
    message = str(error.value)
    assert 'torch 2.0.1 is installed' in message and 'torch>=2.1.0' in message
    assert 'mmcv 2.2.0 is installed' in message
    assert 'mmcv>=2.1.0,<2.2.0' in message
    assert 'mmengine' not in message and 'mmpose 1.3.2' not in message
    check_stack_versions({name: SUPPORTED[name][0] for name in SUPPORTED})


def test_installed_stack_is_in_range():
    check_stack_versions()  # the environment running the tests


def test_import_refuses_an_unsupported_mmpose():
    code = (
        'import mmpose; mmpose.__version__ = "1.2.0"\n'
        'import mmpose_multikd\n'
    )
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert 'ImportError' in result.stderr
    assert 'mmpose 1.2.0 is installed' in result.stderr
    assert 'supports mmpose>=1.3.1,<1.4.0' in result.stderr


def test_install_requires_are_the_supported_ranges():
    """requirements/runtime.txt (install_requires) states the ranges of
    ``SUPPORTED``, and no requirement file pins the stack exactly."""
    runtime = {
        Requirement(line).name: Requirement(line)
        for line in read_lines(REQUIREMENTS / 'runtime.txt')
    }
    for name in SUPPORTED:
        expected = Requirement(requirement(name)).specifier
        assert runtime[name].specifier == expected, name
    for path in REQUIREMENTS.glob('*.txt'):
        for line in read_lines(path):
            parsed = Requirement(line)
            if parsed.name in SUPPORTED or parsed.name == 'torchvision':
                assert not any(
                    s.operator == '==' for s in parsed.specifier
                ), f'{path.name}: {line}'


@pytest.mark.parametrize('constraints', ['default', 'oldest'])
def test_constraints_pin_a_supported_stack(constraints):
    """Each constraints file pins one exact version of every supported
    package, inside its range; the oldest one pins the lowest bound of each
    OpenMMLab package and torch 2.1."""
    pins = {}
    path = REQUIREMENTS / 'constraints' / f'{constraints}.txt'
    for line in read_lines(path):
        parsed = Requirement(line)
        exact = [s.version for s in parsed.specifier if s.operator == '==']
        if exact:
            pins[parsed.name] = exact[0]
    assert set(SUPPORTED) <= set(pins)
    assert unsupported_versions({name: pins[name] for name in SUPPORTED}) == {}
    if constraints == 'oldest':
        for name in OPENMMLAB:
            assert release(pins[name]) == release(SUPPORTED[name][0]), name
        assert release(pins['torch'])[:2] == (2, 1)

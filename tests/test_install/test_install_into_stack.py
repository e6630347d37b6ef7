# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``pip install -e .`` into an environment that already has the stack
changes nothing of the stack.

The environment under test is a fresh virtual environment layered over the
one running the tests: its ``.pth`` file puts this environment's
site-packages (torch, mmcv, MMEngine, MMPose, ...) on its path, and pip
installs into the new environment only, so the running one is never
touched. The plugin is installed from a copy of its packaging files.
"""

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ..helpers import REPO_ROOT

PLUGIN = 'mmpose-multikd'


def run(python: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), '-m', 'pip', '--disable-pip-version-check', *args],
        capture_output=True,
        text=True,
    )


def canonical(name: str) -> str:
    return name.lower().replace('_', '-')


def listed_versions(python: Path) -> dict:
    result = run(python, 'list', '--format', 'json')
    assert result.returncode == 0, result.stderr
    return {
        canonical(entry['name']): entry['version']
        for entry in json.loads(result.stdout)
    }


def check_lines(python: Path) -> set:
    """What ``pip check`` reports (empty when every requirement is met)."""
    result = run(python, 'check')
    return {line for line in result.stdout.splitlines() if line.strip()}


def site_packages_state(site: Path) -> dict:
    return {path.name: path.stat().st_mtime_ns for path in site.iterdir()}


@pytest.fixture
def layered_env(tmp_path):
    """A virtual environment that sees the running one's packages."""
    host_site = Path(sysconfig.get_paths()['purelib'])
    env = tmp_path / 'env'
    subprocess.run(
        [sys._base_executable, '-m', 'venv', '--without-pip', str(env)],
        check=True,
    )
    python = env / 'bin' / 'python'
    env_site = Path(
        subprocess.run(
            [str(python), '-c', 'import sysconfig; '
             'print(sysconfig.get_paths()["purelib"])'],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    (env_site / 'host_stack.pth').write_text(f'{host_site}\n')
    return python, host_site


@pytest.fixture
def plugin_copy(tmp_path):
    copy = tmp_path / 'mmpose-multikd'
    copy.mkdir()
    for name in ('setup.py', 'README.md'):
        shutil.copy(REPO_ROOT / name, copy / name)
    ignore = shutil.ignore_patterns('__pycache__', '*.egg-info')
    for name in ('requirements', 'mmpose_multikd'):
        shutil.copytree(REPO_ROOT / name, copy / name, ignore=ignore)
    return copy


def test_install_keeps_the_stack(layered_env, plugin_copy):
    python, host_site = layered_env
    before_versions = listed_versions(python)
    before_check = check_lines(python)
    before_files = site_packages_state(host_site)

    # With its dependencies resolved, pip would install the plugin alone:
    # the installed stack satisfies every range of install_requires.
    report = run(
        python, 'install', '--dry-run', '--no-index', '--no-build-isolation',
        '--quiet', '--report', '-', '-e', str(plugin_copy),
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    would_install = [
        canonical(item['metadata']['name'])
        for item in json.loads(report.stdout)['install']
    ]
    assert would_install == [PLUGIN]

    installed = run(
        python, 'install', '--no-deps', '--no-build-isolation', '-e',
        str(plugin_copy),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr

    after_versions = listed_versions(python)
    stack = {n: v for n, v in before_versions.items() if n != PLUGIN}
    assert {n: v for n, v in after_versions.items() if n != PLUGIN} == stack
    assert after_versions[PLUGIN] == before_versions.get(
        PLUGIN, after_versions[PLUGIN]
    )
    # pip check finds nothing new, and nothing about the plugin.
    after_check = check_lines(python)
    assert after_check == before_check
    assert not any(PLUGIN in canonical(line) for line in after_check)
    assert site_packages_state(host_site) == before_files

    imported = subprocess.run(
        [str(python), '-c', 'import mmpose_multikd; '
         'print(mmpose_multikd.__file__)'],
        capture_output=True, text=True, cwd=plugin_copy.parent,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip().startswith(str(plugin_copy))

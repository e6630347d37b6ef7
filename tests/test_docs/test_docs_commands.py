# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Every command the docs quote still names what exists.

Reads the README, ``CHANGELOG.md``, ``docs/*.md`` and the configs'
READMEs: their code blocks and inline code. A path under the repository's
folders (``tools/``, ``configs/``, ``docs/``, ...) must exist, here or
among MMPose's own files (its ``tools/train.py``); a ``make``
target must be in the Makefile; a ``--flag`` given to ``python tools/X.py``
must be in that tool's ``--help``; a relative Markdown link must point at a
file. Placeholders (``<...>``, ``$VAR``, ``{...}``, ``*``, ``...``) are not
checked. A stale command then fails the build, with its file and line.
"""

import functools
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from ..helpers import REPO_ROOT

DOCS = sorted(
    [REPO_ROOT / 'README.md', REPO_ROOT / 'CHANGELOG.md']
    + list((REPO_ROOT / 'docs').glob('*.md'))
    + list((REPO_ROOT / 'configs').glob('**/README.md'))
)
TOP_FOLDERS = (
    'tools/',
    'configs/',
    'docs/',
    'mmpose_multikd/',
    'multikd_lab/',
    'tests/',
    'requirements/',
    '.ci/',
)
PLACEHOLDER = re.compile(r'[<>{}*$]|\.\.\.|\bX\b')
FENCE = re.compile(r'^```')
INLINE = re.compile(r'`([^`\n]+)`')
LINK = re.compile(r'\]\(([^)\s]+)\)')
COMMAND_END = {'|', '&&', '||', ';', '>', '2>&1', '&'}


def doc_commands(path: Path) -> Iterator[Tuple[int, str]]:
    """(line number, command text) of code blocks (continuation lines
    joined) and inline code spans."""
    in_block, pending, start = False, '', 0
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if FENCE.match(line.strip()):
            in_block = not in_block
            continue
        if in_block:
            text = line.split(' #')[0].rstrip()
            if not pending:
                start = number
            if text.endswith('\\'):
                pending += text[:-1] + ' '
                continue
            yield start, pending + text
            pending = ''
        else:
            for span in INLINE.findall(line):
                yield number, span


def tokens(command: str) -> List[str]:
    try:
        return shlex.split(command, comments=False)
    except ValueError:
        return command.split()


def repo_paths(words: List[str]) -> Iterator[str]:
    for word in words:
        word = word.split('=', 1)[-1].rstrip('.,;:)')
        if word.startswith(TOP_FOLDERS) and not PLACEHOLDER.search(word):
            yield word.split('#')[0].split(':')[0]


def tool_flags(words: List[str]) -> Iterator[Tuple[str, str]]:
    """(tool, --flag) for each flag given to ``python tools/X.py``."""
    tool = None
    for word in words:
        if word in COMMAND_END or word.startswith('>'):
            tool = None
        elif word.startswith('tools/') and word.endswith('.py'):
            tool = word
        elif tool and word.startswith('--') and len(word) > 2:
            yield tool, word.split('=', 1)[0]


def make_targets() -> set:
    text = (REPO_ROOT / 'Makefile').read_text()
    return set(re.findall(r'^([A-Za-z][\w-]*):', text, re.M))


@functools.cache
def tool_help(tool: str) -> str:
    result = subprocess.run(
        [sys.executable, tool, '--help'],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f'{tool} --help: {result.stderr[-2000:]}'
    return result.stdout


def takes_flag(help_text: str, flag: str) -> bool:
    """Whether ``--help`` lists ``flag`` (``--data`` is not
    ``--data-root``)."""
    pattern = rf'(^|[\s,\[]){re.escape(flag)}(?![\w-])'
    return re.search(pattern, help_text, re.M) is not None


def quoted() -> List[Tuple[str, int, str]]:
    return [
        (str(path.relative_to(REPO_ROOT)), number, command)
        for path in DOCS
        if path.is_file()
        for number, command in doc_commands(path)
    ]


def test_docs_are_found():
    commands = quoted()
    assert len(DOCS) > 5 and len(commands) > 100
    assert any(
        'multikd_lab/tools/run_lsp_campaign.py' in c for _, _, c in commands
    )


def exists(path: str) -> bool:
    """In this repository, or in MMPose's own (``tools/train.py``, the
    ``mmpose::`` configs): the files ``mim`` installs with MMPose."""
    import mmpose

    mmpose_files = Path(mmpose.__file__).parent / '.mim'
    return (REPO_ROOT / path).exists() or (mmpose_files / path).exists()


def test_quoted_paths_exist():
    missing = [
        f'{doc}:{number}: {path}'
        for doc, number, command in quoted()
        for path in repo_paths(tokens(command))
        if not exists(path)
    ]
    assert not missing, 'quoted paths that do not exist:\n' + '\n'.join(
        missing
    )


def test_quoted_make_targets_exist():
    targets = make_targets()
    wrong = []
    for doc, number, command in quoted():
        words = tokens(command)
        for k, word in enumerate(words[:-1]):
            target = words[k + 1]
            if word == 'make' and not target.startswith('-'):
                if '=' not in target and target not in targets:
                    wrong.append(f'{doc}:{number}: make {target}')
    assert not wrong, 'unknown make targets:\n' + '\n'.join(wrong)


def test_quoted_tool_flags_exist():
    given = [
        (doc, number, tool, flag)
        for doc, number, command in quoted()
        for tool, flag in tool_flags(tokens(command))
        if (REPO_ROOT / tool).is_file()  # else test_quoted_paths_exist
    ]
    with ThreadPoolExecutor(2) as pool:  # each --help imports MMPose
        list(pool.map(tool_help, sorted({tool for _, _, tool, _ in given})))
    wrong = []
    for doc, number, tool, flag in given:
        if not takes_flag(tool_help(tool), flag):
            wrong.append(f'{doc}:{number}: {tool} {flag}')
    assert not wrong, 'flags the tools do not take:\n' + '\n'.join(wrong)


def heading_anchors(path: Path) -> set:
    """GitHub's anchors of a Markdown file's headings: lower case, spaces
    to hyphens, punctuation other than hyphens and underscores dropped."""
    anchors, in_block = set(), False
    for line in path.read_text().splitlines():
        if FENCE.match(line.strip()):
            in_block = not in_block
        elif not in_block and line.startswith('#'):
            title = line.lstrip('#').strip().lower()
            anchors.add(re.sub(r'[^\w\- ]', '', title).replace(' ', '-'))
    return anchors


def test_relative_links_exist():
    broken = []
    for path in DOCS:
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for link in LINK.findall(line):
                target, _, anchor = link.partition('#')
                if re.match(r'[a-z]+:', target):
                    continue
                linked = path.parent / target if target else path
                where = f'{path.relative_to(REPO_ROOT)}:{number}: {link}'
                if not linked.exists():
                    broken.append(where)
                elif anchor and linked.suffix == '.md':
                    if anchor not in heading_anchors(linked):
                        broken.append(f'{where} (no such heading)')
    assert not broken, 'broken links:\n' + '\n'.join(broken)


def test_heading_anchors_follow_github(tmp_path):
    doc = tmp_path / 'anchors.md'
    doc.write_text(
        '# Training: the cost of `x` against DWPose\n'
        '```\n# not a heading\n```\n## On a GPU (NVIDIA H200)\n'
    )
    assert heading_anchors(doc) == {
        'training-the-cost-of-x-against-dwpose',
        'on-a-gpu-nvidia-h200',
    }


@pytest.mark.parametrize(
    'command, expected',
    [
        (
            'python tools/x.py a --flag 1 --other=2 | tee log',
            [('tools/x.py', '--flag'), ('tools/x.py', '--other')],
        ),
        ('python tools/x.py > out --not-a-flag', []),
        ('bash tools/dist_train.sh c 8 --resume', []),
    ],
)
def test_flag_parser(command, expected):
    assert list(tool_flags(tokens(command))) == expected


def test_flag_match_is_whole():
    help_text = (
        'usage: x [--data-root DATA_ROOT] [-h]\n  --seeds SEEDS [SEEDS ...]'
    )
    assert takes_flag(help_text, '--data-root')
    assert takes_flag(help_text, '--seeds')
    assert not takes_flag(help_text, '--data')
    assert not takes_flag(help_text, '--seed')


def test_readme_is_short_and_the_docs_have_an_index():
    """A newcomer reads the README in five minutes; every page of docs/
    has a line in docs/README.md."""
    readme = (REPO_ROOT / 'README.md').read_text().splitlines()
    assert len(readme) <= 200, f'README.md has {len(readme)} lines'
    index = (REPO_ROOT / 'docs' / 'README.md').read_text()
    pages = sorted(
        p.name
        for p in (REPO_ROOT / 'docs').glob('*.md')
        if p.name != 'README.md'
    )
    missing = [page for page in pages if f']({page})' not in index]
    assert not missing, f'docs/README.md has no line for {missing}'

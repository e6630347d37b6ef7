# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Generated blocks in Markdown pages: a report writes its tables between
two HTML comments, so the copy in the docs cannot drift from its data.

A block named ``lsp-64x64`` reads, in the page::

    <!-- generated: lsp-64x64 -->
    | row | ... |
    <!-- /generated: lsp-64x64 -->

Everything outside the markers is left as it is.
"""

import re
from pathlib import Path
from typing import Dict, List, Union


def _markers(name: str) -> tuple:
    return f'<!-- generated: {name} -->', f'<!-- /generated: {name} -->'


def block_names(text: str) -> List[str]:
    """The names of the generated blocks in ``text``, in page order."""
    return re.findall(r'<!-- generated: ([\w.-]+) -->', text)


def read_block(text: str, name: str, source: str = '<text>') -> str:
    """The content between the markers of block ``name``.

    Raises:
        ValueError: the page lacks either marker, has one twice, or has
            the end before the start; the message names ``source``.
    """
    start, end = _markers(name)
    if text.count(start) != 1 or text.count(end) != 1:
        raise ValueError(
            f'{source}: block {name!r} needs exactly one {start!r} and one '
            f'{end!r} (found {text.count(start)} and {text.count(end)})'
        )
    begin, finish = text.index(start) + len(start), text.index(end)
    if finish < begin:
        raise ValueError(f'{source}: block {name!r} ends before it starts')
    return text[begin:finish].strip('\n')


def replace_block(
    text: str, name: str, content: str, source: str = '<text>'
) -> str:
    """``text`` with block ``name`` holding ``content`` (checked as in
    :func:`read_block`)."""
    read_block(text, name, source)
    start, end = _markers(name)
    head, rest = text.split(start)
    _, tail = rest.split(end)
    return f'{head}{start}\n{content.strip(chr(10))}\n{end}{tail}'


def update_blocks(path: Union[str, Path], blocks: Dict[str, str]) -> list:
    """Rewrite the blocks of ``path`` that ``blocks`` holds.

    Every block the page names must be in ``blocks`` (a page that asks for
    a table nobody writes is stale); blocks the page does not name are
    skipped. The page is written once, after every block is checked.

    Returns:
        list[str]: The names of the blocks written.

    Raises:
        ValueError: the page names a block ``blocks`` lacks, or has no
            generated block at all.
    """
    path = Path(path)
    text = path.read_text()
    names = block_names(text)
    if not names:
        raise ValueError(f'{path}: no generated block in the page')
    unknown = [name for name in names if name not in blocks]
    if unknown:
        raise ValueError(
            f'{path}: blocks {unknown} are not written by this report '
            f'(it writes {sorted(blocks)})'
        )
    for name in names:
        text = replace_block(text, name, blocks[name], str(path))
    path.write_text(text)
    return names

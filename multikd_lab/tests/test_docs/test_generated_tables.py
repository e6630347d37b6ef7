# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The LSP tables of the README and ``docs/results.md`` are the ones
``multikd_lab.tools.run_lsp_campaign --part report [--study NAME] --docs``
renders from the committed ``docs/data/lsp/[NAME/]summary.json``: a
number typed into a page by hand, or a report not carried into the pages,
fails."""

import pytest

from multikd_lab.experiments.doc_blocks import block_names, read_block
from multikd_lab.lsp_campaign.report import committed_tables
from tests.helpers import REPO_ROOT

PAGES = [REPO_ROOT / 'README.md', *sorted((REPO_ROOT / 'docs').glob('*.md'))]


@pytest.fixture(scope='module')
def lsp_tables():
    # the main table's, each study's and the input-size section's blocks
    return committed_tables(str(REPO_ROOT / 'docs' / 'data' / 'lsp'))


def test_pages_show_the_report_tables(lsp_tables):
    shown = {}
    for page in PAGES:
        text = page.read_text()
        for name in block_names(text):
            assert name in lsp_tables, f'{page}: unknown block {name!r}'
            block = read_block(text, name, str(page))
            assert block == lsp_tables[name], (
                f'{page.relative_to(REPO_ROOT)}: block {name!r} differs '
                'from the report; run python -m '
                'multikd_lab.tools.run_lsp_campaign --part report --docs '
                'README.md docs/results.md'
            )
            shown[name] = page
    # every table of the main campaign is on a page
    assert {'lsp-64x64', 'lsp-64x64-differences', 'lsp-readme'} <= set(shown)

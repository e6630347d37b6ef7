# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The LSP campaign in parts: teacher, loss weights, rows over seeds, report.

    python -m multikd_lab.tools.run_lsp_campaign --part time \\
        --rows teacher r1 r6
    python -m multikd_lab.tools.run_lsp_campaign --part teacher
    python -m multikd_lab.tools.run_lsp_campaign --part weights
    python -m multikd_lab.tools.run_lsp_campaign --part rows \\
        --rows r1 r2 r6 reviewkd fitnet --seeds 0 --jobs 2
    python -m multikd_lab.tools.run_lsp_campaign --part report

Every part takes ``--data-root`` (LSPet converted by
``tools/dataset_converters/lsp2mpii.py``), ``--work-root`` (MMEngine's work
dirs) and ``--teacher-cache``; the rules are in ``docs/lsp.md``, the code
in ``multikd_lab/lsp_campaign/``.

- ``time``: seconds per training iteration of each listed row (and
  ``teacher``, ``teacher-128x128``), data loading included: a few
  iterations through MMEngine's Runner; rows two copies side by side with
  one thread each (``--jobs 2``, as the campaign trains them), teachers
  alone with every thread. Appended to ``<out>/iteration_times.json``.
- ``teacher``: trains the LSP teacher of every input size the listed rows
  use, once, into the teacher cache
  (:func:`multikd_lab.experiments.cached_teacher`); a killed run resumes
  from its last checkpoint. A teacher missing from the cache is restored
  from ``--weights-dir`` (outside the repository; the committed record
  holds its SHA-256): its weights once finished, else its saved training
  state, which it resumes from.
- ``teacher-state``: saves the last checkpoint of every unfinished
  teacher (running or killed) and its logs under ``--weights-dir``, in
  parts of at most 50 MB, for another machine to resume.
- ``weights``: the rule's distillation weights (``docs/method.md``:
  feature terms start at 2 x ``loss_kpt``, distribution terms at 1 x),
  measured with the cached teacher for every config the listed rows take
  their weights from; recorded in ``<out>/loss_scales_<size>.json`` and
  printed as the lines to write in ``configs/lsp/_base_/lspet-<size>.py``.
  A config measured once with that teacher stays (``--remeasure``
  measures again).
- ``rows``: trains each (row, seed) without a finished result; a run with
  a checkpoint resumes from it. Distiller rows are refused until their
  weights are measured with the cached teacher, and while their config's
  weights differ from the measurement. ``--study NAME`` runs a study's
  rows into ``<out>/<study>``.
- ``report``: ``<out>/summary.{json,md}`` and ``<out>/curves.png`` from
  the saved runs: per row mean ± std over seeds and the plateau test, the
  targets, and the differences between rows on the same seeds. With
  ``--docs README.md docs/results.md`` it also rewrites the LSP tables of
  those pages (their ``<!-- generated: NAME -->`` blocks), so the pages
  show the report's numbers and nothing typed by hand.

Each finished run (teacher or row) is saved at once, small, under ``<out>``
(default ``docs/data/lsp``): its metrics, its per-epoch validation curve
and its step time, so that nothing finished is lost between days.
"""

import sys

from multikd_lab.lsp_campaign import main

if __name__ == '__main__':
    sys.exit(main())

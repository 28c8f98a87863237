"""The nightly HMS load, on the beat schedule before the nightly run reads the accounts."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from integrations.hms.reading import file_set_checksum, missing_files
from integrations.hms.sync import FileSetRefused, hms_file_set_import
from integrations.models import HmsImport

logger = logging.getLogger(__name__)


def file_sets_waiting(root: Path) -> list[Path]:
    """The file sets under the export folder not yet applied, oldest first.

    The HMS writes each night's set into a folder of its own (named so they sort by
    date, like 2026-12-07) or over the files in the export folder itself. A set whose
    files match one already applied is skipped; applying it again would change nothing.
    """
    candidates = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if root.is_dir() and not missing_files(root):
        candidates.append(root)
    applied = set(
        HmsImport.objects.filter(outcome=HmsImport.Outcome.APPLIED).values_list(
            "checksum", flat=True
        )
    )
    return [p for p in candidates if file_set_checksum(p) not in applied]


@shared_task(name="integrations.tasks.hms_import_nightly")
def hms_import_nightly() -> list[str]:
    """Apply each waiting file set in turn. A refused set stops the run: a later set
    may depend on it, and the council fixes the export and it is tried again."""
    root = settings.HMS_IMPORT_DIR
    if not root:
        logger.info("HMS_IMPORT_DIR is not set: no HMS file sets to load")
        return []
    done = []
    for directory in file_sets_waiting(Path(root)):
        try:
            report = hms_file_set_import(directory=directory, today=timezone.localdate())
        except FileSetRefused as exc:
            logger.error("HMS file set %s refused: %s", directory, exc.summary)
            for problem in exc.problems.kept[:20]:
                logger.error("  %s", problem)
            break
        logger.info("HMS file set %s applied: %s", directory, "; ".join(report.lines()))
        done.append(str(directory))
    return done

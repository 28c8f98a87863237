"""The revenues debt files picked up from their folder each night (beat: config/settings.py)."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from integrations.revenues.services import RevenuesFileRefused, revenues_import

logger = logging.getLogger(__name__)


@shared_task(name="integrations.revenues.tasks.revenues_import_folder")
def revenues_import_folder() -> dict[str, str]:
    """Every `*.csv` in REVENUES_IMPORT_DIR, in name order, each all or nothing. A file
    already imported (same checksum) changes nothing; a refused one is logged with its
    problems and left for the revenues team to replace, and the others still load."""
    folder = settings.REVENUES_IMPORT_DIR
    outcomes: dict[str, str] = {}
    if not folder.is_dir():
        logger.warning("REVENUES_IMPORT_DIR %s is not a folder: no revenues debts loaded", folder)
        return outcomes
    for path in sorted(folder.glob("*.csv")):
        try:
            result = revenues_import(path=path, today=timezone.localdate())
        except RevenuesFileRefused as refused:
            logger.error("Revenues file %s refused: %s", path.name, refused)
            outcomes[path.name] = f"refused: {len(refused.problems)} problem(s)"
            continue
        if result.already_imported is not None:
            outcomes[path.name] = "already imported"
        else:
            outcomes[path.name] = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    return outcomes

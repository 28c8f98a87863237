"""The nightly letters through real Celery workers on Redis, against the test database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings

from arrears.models import LetterKind, LetterRequest
from config.celery import app as celery_app
from notices.models import Document, PrintPack
from tests.notices.conftest import TODAY, household
from tests.workers import celery_workers

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(documents_root):
    """Two solo workers, as production runs them, sharing this test's database and folder."""
    celery_app.control.purge()  # this Redis database is ours alone: start from an empty queue
    with celery_workers(
        2, env={"DOCUMENTS_ROOT": str(documents_root)}, default_queue=True
    ) as running:
        yield running


def test_letters_render_on_two_real_workers_once_each_and_pack_once(team, workers):
    cases = [household(patch=team.patch_a, address=f"{n + 1} Elm Street") for n in range(6)]
    for case in cases:
        LetterRequest.objects.create(case=case, letter=LetterKind.ARREARS_LETTER_1, run_date=TODAY)
    failing = household(patch=team.patch_a, address="99 Elm Street")
    LetterRequest.objects.create(case=failing, letter=LetterKind.COURT_HEARING, run_date=TODAY)

    # Sent twice, as a re-run of the nightly run would: nothing is rendered or packed twice.
    celery_app.send_task("notices.tasks.render_letter_requests", args=[TODAY.isoformat()])
    celery_app.send_task("notices.tasks.render_letter_requests", args=[TODAY.isoformat()])

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if (
            PrintPack.objects.filter(run_date=TODAY).exists()
            and not LetterRequest.objects.filter(status="pending").exists()
        ):
            time.sleep(2)  # let a second pack, if one were (wrongly) coming, arrive
            break
        time.sleep(0.3)
    assert LetterRequest.objects.filter(status="rendered").count() == 6
    assert LetterRequest.objects.get(case=failing).status == "failed"
    assert Document.objects.count() == 6
    packs = list(PrintPack.objects.all())
    assert len(packs) == 1 and packs[0].letter_count == 6
    assert (Path(settings.DOCUMENTS_ROOT) / packs[0].file).is_file()

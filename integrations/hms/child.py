"""Reading a large transactions file in a second process, as the seed generates its rows.

On PostgreSQL a first load's time goes on two things of about the same size: checking
tens of millions of rows in Python, and PostgreSQL taking them in by COPY. In one process
they take turns; here a child reads and checks the file and writes each batch as COPY
text while the parent streams the batches into the staging table, so the machine's two
cores work at once. The child is spawned, not forked (forking a process with threads can
deadlock the child on a lock it copied), and sets Django up without touching the
database. It reports its problems and figures back when it is done.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from queue import Empty
from typing import TYPE_CHECKING

# Nothing of Django at import: the spawned child imports this module to find its
# target before it has set Django up.
if TYPE_CHECKING:
    from integrations.hms.reading import Problems, TransactionsRead


@dataclass(frozen=True)
class LedgerTarget:
    """A first load into an empty ledger: the child writes each line as the ledger's own
    COPY text, its account found by its HMS id in `account_ids`."""

    account_ids: dict[str, int]
    posted_at: str
    prefix: str


# Below this the second process costs more (about a second to start) than it saves.
CHILD_ABOVE_BYTES = 64 * 1024 * 1024


def _child(
    queue,
    path: Path,
    known: set[str],
    closed_on: dict[str, date],
    today: date,
    ledger: LedgerTarget | None,
) -> None:
    try:
        import os

        import django

        # The child only reads a file: it needs the apps' models for their choices, never
        # the database or anything signed or encrypted, so a settings file that insists
        # on a secret key and encryption keys (production, or a test run configured
        # in-process) gets placeholders.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        if not os.environ.get("SECRET_KEY"):
            os.environ["SECRET_KEY"] = "unused-by-the-hms-reader"
        if not os.environ.get("FIELD_ENCRYPTION_KEYS"):
            from cryptography.fernet import Fernet

            os.environ["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
        django.setup()
        from integrations.hms.ledger import copy_text, ledger_copy_text
        from integrations.hms.reading import Problems, read_transactions

        problems = Problems()

        def sink(batch) -> None:
            if ledger is None:
                queue.put((copy_text(batch), len(batch), False))
                return
            # Straight onto the ledger, but for reversals: they need the id of the line
            # they reverse, so they are staged and posted once the rest is in.
            lines = [r for r in batch if r[4] != "reversal"]
            if lines:
                queue.put((ledger_copy_text(lines, ledger), len(lines), True))
            if len(lines) < len(batch):
                reversals = [r for r in batch if r[4] == "reversal"]
                queue.put((copy_text(reversals), len(reversals), False))

        read = read_transactions(
            path,
            problems,
            known_accounts=known.__contains__,
            closed_on=closed_on,
            today=today,
            sink=sink,
        )
        queue.put(("done", read, problems))
    except BaseException as exc:  # handed to the parent, which raises it
        queue.put(("failed", exc, None))


def read_transactions_in_child(
    path: Path,
    problems: Problems,
    *,
    known: set[str],
    closed_on: dict[str, date],
    today: date,
    add_text: Callable[[str, int, bool], None],
    ledger: LedgerTarget | None = None,
) -> TransactionsRead:
    """As reading.read_transactions, with the reading in a child process; each batch
    is handed to `add_text` as COPY text, with whether it is the ledger's (`ledger`
    given) or the staging table's."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=4)
    child = context.Process(
        target=_child, args=(queue, path, known, closed_on, today, ledger), daemon=True
    )
    child.start()
    try:
        while True:
            try:
                item = queue.get(timeout=1)
            except Empty:
                if not child.is_alive():
                    raise RuntimeError(
                        f"The HMS transactions reader stopped unexpectedly "
                        f"(exit code {child.exitcode})"
                    ) from None
                continue
            if item[0] == "done":
                _, read, found = item
                problems.count += found.count
                problems.kept.extend(found.kept[: max(0, 200 - len(problems.kept))])
                return read
            if item[0] == "failed":
                raise item[1]
            add_text(*item)
    finally:
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()

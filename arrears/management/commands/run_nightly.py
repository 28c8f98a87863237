import time
from datetime import date

from celery import current_app
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from arrears.actions import action_label
from arrears.guards import GUARD_LABELS
from arrears.models import NightlyRun
from arrears.services import DEFAULT_CHUNK_SIZE, RunInProgress, nightly_run


class Command(BaseCommand):
    help = (
        "Run the nightly arrears run for a date (default today) in this process: figures, "
        "arrangements, policy, recommendations and letters. Running it again for a date "
        "completes what is missing and duplicates nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=date.fromisoformat, default=None, help="The run date, YYYY-MM-DD."
        )
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)

    def handle(self, *args, **options) -> None:
        run_date = options["date"] or timezone.localdate()
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        already = NightlyRun.objects.filter(
            run_date=run_date, status=NightlyRun.Status.COMPLETED
        ).first()
        started = time.monotonic()
        try:
            run = nightly_run(
                run_date=run_date,
                trigger=NightlyRun.Trigger.COMMAND,
                chunk_size=options["chunk_size"],
            )
        except RunInProgress as refused:
            raise CommandError(str(refused)) from refused
        self._report(run, already=already, seconds=time.monotonic() - started)
        if run.errors:
            raise CommandError(
                f"{len(run.errors)} chunk(s) failed; run the command again for {run_date} "
                "to complete them."
            )

    def _report(self, run: NightlyRun, *, already: NightlyRun | None, seconds: float) -> None:
        """What the run did, with the time each part took: the figures and recommendations
        (the run record's own time), then the letters, which without a broker are
        produced here after the run and are most of the command's time."""
        counts = run.counts
        out = self.stdout
        day = f"{run.run_date:%-d %B %Y}"
        if already is not None and not run.errors:
            out.write(
                f"The nightly run for {day} had already completed "
                f"({timezone.localtime(already.finished_at):%-d %B at %H:%M}); "
                f"nothing was left to do. Its figures (policy version {run.policy.version}):"
            )
        else:
            letters = sum(counts.get("letters", {}).values())
            if not letters:
                after = ""
            elif current_app.conf.task_always_eager:
                after = f"; {letters:,} letters produced in {seconds - run.seconds:.1f} s after it"
            else:
                after = f"; {letters:,} letters sent to the workers to produce"
            out.write(
                f"Nightly run for {day}: {run.get_status_display().lower()}. "
                f"Figures and recommendations for {run.cases:,} cases in {run.seconds:.1f} s"
                f"{after}; {seconds:.1f} s in all "
                f"(policy version {run.policy.version}, attempt {run.attempts})."
            )
        out.write(
            f"  {run.cases:,} cases; {counts.get('in_arrears', 0):,} owing; "
            f"{counts.get('stage_changes', 0):,} stage changes; "
            f"{sum(counts.get('letters', {}).values()):,} letters queued; "
            f"{counts.get('approvals', 0):,} recommendations awaiting approval."
        )
        for title, key, label in (
            ("Next actions", "actions", action_label),
            ("Guards holding cases", "guards", lambda k: GUARD_LABELS.get(k, k)),
            ("Letters queued", "letters", lambda k: k.replace("_", " ").capitalize()),
            ("Arrangement changes", "arrangements", lambda k: k.capitalize()),
        ):
            values = counts.get(key) or {}
            if not values:
                continue
            out.write(f"  {title}:")
            for name, count in sorted(values.items(), key=lambda item: (-item[1], item[0])):
                out.write(f"    {count:>8,}  {label(name)}")
        for error in run.errors:
            out.write(
                self.style.ERROR(f"  Chunk {error['chunk']} ({error['cases']}): {error['error']}")
            )

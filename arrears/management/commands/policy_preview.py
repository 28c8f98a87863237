import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from arrears.actions import action_label
from arrears.guards import GUARD_LABELS
from arrears.policy import Policy, PolicyError, document_differences, merge_documents
from arrears.preview import policy_preview_counts
from arrears.services import policy_current, policy_of


class Command(BaseCommand):
    help = (
        "Show how many cases each action and guard would hit under the current policy, or "
        "under a proposed one (--policy FILE: JSON naming only the settings that change), "
        "without writing anything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, default=None)
        parser.add_argument(
            "--policy", type=Path, default=None, help="A JSON file with the proposed settings."
        )

    def handle(self, *args, **options) -> None:
        run_date = options["date"] or timezone.localdate()
        base = policy_current()
        current = policy_of(base)
        proposed = current
        if options["policy"] is not None:
            try:
                changes = json.loads(options["policy"].read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read {options['policy']}: {exc}") from exc
            if not isinstance(changes, dict):
                raise CommandError(f"{options['policy']} must hold a JSON object of settings.")
            try:
                proposed = Policy.from_document(
                    merge_documents(base.document, changes), version=base.version + 1
                )
            except PolicyError as exc:
                lines = "\n".join(f"  {message}" for message in exc.errors.values())
                raise CommandError(f"The proposed policy cannot be used:\n{lines}") from exc
        results = policy_preview_counts(run_date=run_date, current=current, proposed=proposed)
        self._report(
            results, base.version, document_differences(current.document, proposed.document)
        )

    def _report(self, results: dict, version: int, differences: list) -> None:
        out = self.stdout
        proposal = bool(differences)
        out.write(
            f"Policy preview for {results['run_date']}: {results['cases']:,} open cases, "
            f"policy version {version}" + (" against the proposal." if proposal else ".")
        )
        for setting, before, after in differences:
            out.write(f"  {setting.label}: {before} -> {after}")
        for title, key, label in (
            ("Next actions", "actions", action_label),
            ("Guards holding cases", "guards", lambda k: GUARD_LABELS.get(k, k)),
            ("Letters that would be queued", "letters", lambda k: k.replace("_", " ").capitalize()),
        ):
            current = results["current"][key]
            proposed = results["proposed"][key]
            names = sorted(set(current) | set(proposed), key=lambda k: -current.get(k, 0))
            if not names:
                continue
            out.write(f"  {title}:" + ("  (current, proposed, change)" if proposal else ""))
            for name in names:
                now, then = current.get(name, 0), proposed.get(name, 0)
                line = f"    {now:>8,}"
                if proposal:
                    line += f"  {then:>8,}  {then - now:>+8,}"
                out.write(f"{line}  {label(name)}")
        if proposal:
            out.write(f"  {results['changed']:,} cases would get a different next action.")

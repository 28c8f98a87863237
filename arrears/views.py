"""The managers' pages: recent nightly runs, the escalation policy and its dry run."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from arrears import selectors
from arrears.actions import ACTIONS, action_label
from arrears.engine.common import RUNG_ACTIONS
from arrears.forms import GLOBAL_SECTIONS, AdoptPreviewForm, PolicyChangeForm, PolicyPreviewForm
from arrears.guards import GUARD_LABELS
from arrears.models import LetterKind, NightlyRun
from arrears.policy import (
    LADDER_LABELS,
    LADDER_RUNGS,
    SETTINGS,
    Policy,
    document_differences,
    rung_label,
)
from arrears.preview import policy_preview_start
from arrears.rules import NOTICE_ROUTES
from arrears.services import (
    RunInProgress,
    nightly_run_begin,
    policy_current,
    policy_of,
    policy_version_create,
)
from arrears.tasks import dispatch_chunks
from cases.models import Stage

VIEW = "cases.view_performance"
ADMINISTER = "cases.administer_service"
START_RUNS = "cases.act_on_any_case"
STAGE_LABELS = dict(Stage.choices)
LETTER_LABELS = dict(LetterKind.choices)


def _labelled(counts: dict[str, int], labels) -> list[tuple[str, int]]:
    return sorted(((labels(k), v) for k, v in counts.items()), key=lambda row: (-row[1], row[0]))


@permission_required(VIEW, raise_exception=True)
def runs(request: HttpRequest) -> HttpResponse:
    """The recent nightly runs: when, how long, what they did and what went wrong."""
    rows = []
    for run in selectors.recent_runs():
        counts = run.counts or {}
        rows.append(
            {
                "run": run,
                "letters": sum((counts.get("letters") or {}).values()),
                "approvals": counts.get("approvals", 0),
                "stage_changes": counts.get("stage_changes", 0),
                "in_arrears": counts.get("in_arrears", 0),
            }
        )
    return render(
        request,
        "arrears/runs.html",
        {
            "rows": rows,
            "today": timezone.localdate(),
            "can_start": request.user.has_perm(START_RUNS),
        },
    )


@permission_required(VIEW, raise_exception=True)
def run_detail(request: HttpRequest, run_date: date) -> HttpResponse:
    run = selectors.run_on(run_date=run_date)
    counts = run.counts or {}
    return render(
        request,
        "arrears/run_detail.html",
        {
            "run": run,
            "chunks": selectors.run_chunks(run=run),
            "actions": _labelled(counts.get("actions") or {}, action_label),
            "guards": _labelled(counts.get("guards") or {}, lambda k: GUARD_LABELS.get(k, k)),
            "stages": _labelled(counts.get("stages") or {}, lambda k: STAGE_LABELS.get(k, k)),
            "letters": _labelled(counts.get("letters") or {}, lambda k: LETTER_LABELS.get(k, k)),
            "arrangements": _labelled(counts.get("arrangements") or {}, str.capitalize),
            "counts": counts,
            "can_start": request.user.has_perm(START_RUNS),
        },
    )


@require_POST
@permission_required(START_RUNS, raise_exception=True)
def run_start(request: HttpRequest) -> HttpResponse:
    """Start the run for a date, or complete one that did not finish, on the workers."""
    try:
        run_date = date.fromisoformat(request.POST.get("run_date", ""))
    except ValueError:
        messages.error(request, "Choose the date of the run to start.")
        return redirect("arrears:runs")
    if run_date > timezone.localdate():
        messages.error(request, "A run cannot be started for a date in the future.")
        return redirect("arrears:runs")
    try:
        run = nightly_run_begin(
            run_date=run_date, trigger=NightlyRun.Trigger.MANAGER, actor=request.user
        )
    except RunInProgress as refused:
        messages.error(request, str(refused))
        return redirect("arrears:runs")
    dispatch_chunks(run)
    messages.success(request, f"The run for {run_date:%-d %B %Y} has started.")
    return redirect("arrears:run", run_date=run_date)


def _ladders(policy: Policy) -> list[dict]:
    ladders = []
    for ladder, rungs in LADDER_RUNGS.items():
        actions = RUNG_ACTIONS.get(ladder, RUNG_ACTIONS["possession"])
        rows = []
        for name in rungs:
            rung = policy.rung(ladder, name)
            key = actions.get(name)
            if key is None:
                how, what = "Needs approval", "Serve the tenancy's notice"
            else:
                found = ACTIONS[key]
                what = found.label
                if found.needs_approval:
                    how = "Needs approval"
                elif found.letter is not None and policy.letter_is_automatic(found.letter.value):
                    how = "Automatic letter"
                else:
                    how = "Officer"
            rows.append(
                {
                    "rung": rung_label(ladder, name),
                    "weeks": rung.weeks,
                    "min_amount": rung.min_amount,
                    "gap_days": rung.gap_days,
                    "what": what,
                    "how": how,
                }
            )
        ladders.append(
            {
                "key": ladder,
                "label": LADDER_LABELS[ladder],
                "notice": NOTICE_ROUTES[ladder],
                "rows": rows,
            }
        )
    return ladders


def _global_settings(document: dict) -> list[dict]:
    sections = []
    for section, title in GLOBAL_SECTIONS:
        rows = []
        for setting in SETTINGS:
            if setting.section != section:
                continue
            value = document
            for part in setting.path:
                value = value[part]
            if setting.kind == "letters":
                value = ", ".join(LETTER_LABELS[v] for v in value) or "None"
            elif setting.kind == "choice":
                value = dict(setting.choices)[value]
            elif setting.kind == "money":
                value = f"£{value}"
            elif setting.kind == "date":
                value = date.fromisoformat(value).strftime("%-d %B %Y") if value else "Not set"
            rows.append({"label": setting.label, "value": value, "source": setting.source})
        sections.append({"title": title, "rows": rows})
    return sections


@permission_required(VIEW, raise_exception=True)
def policy(request: HttpRequest, version: int | None = None) -> HttpResponse:
    """The escalation policy in force (or an earlier version), as a manager reads it."""
    current = policy_current()
    shown = current if version is None else selectors.policy_version(version=version)
    parsed = policy_of(shown)
    previous = (
        selectors.policy_versions().filter(version__lt=shown.version).first()
        if shown.version > 1
        else None
    )
    changes = document_differences(previous.document, shown.document) if previous else []
    return render(
        request,
        "arrears/policy.html",
        {
            "shown": shown,
            "current": current,
            "ladders": _ladders(parsed),
            "settings": _global_settings(parsed.document),
            "versions": selectors.policy_versions(),
            "changes": changes,
            "previous": previous,
            "previous_version": str(previous.version) if previous else "",
            "can_change": request.user.has_perm(ADMINISTER),
        },
    )


@permission_required(ADMINISTER, raise_exception=True)
def policy_change(request: HttpRequest) -> HttpResponse:
    current = policy_current()
    form = PolicyChangeForm(request.POST or None, document=current.document)
    if request.method == "POST" and form.is_valid():
        try:
            made = policy_version_create(
                document=form.document, note=form.cleaned_data["note"], actor=request.user
            )
        except ValidationError as refused:
            _refusal_to_form(form, refused)
        else:
            messages.success(request, f"Policy version {made.version} is now in force.")
            return redirect("arrears:policy")
    return render(
        request, "arrears/policy_form.html", {"form": form, "current": current, "mode": "change"}
    )


def _refusal_to_form(form, refused: ValidationError) -> None:
    if hasattr(refused, "error_dict"):
        for key, errors in refused.error_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, refused)


@permission_required(VIEW, raise_exception=True)
def policy_preview_new(request: HttpRequest) -> HttpResponse:
    current = policy_current()
    form = PolicyPreviewForm(
        request.POST or None,
        document=current.document,
    )
    if request.method == "GET":
        form.initial["run_date"] = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        try:
            preview = policy_preview_start(
                actor=request.user, document=form.document, run_date=form.cleaned_data["run_date"]
            )
        except ValidationError as refused:
            _refusal_to_form(form, refused)
        else:
            return redirect("arrears:preview", preview_id=preview.pk)
    return render(
        request, "arrears/policy_form.html", {"form": form, "current": current, "mode": "preview"}
    )


def _comparison(results: dict, key: str, labels) -> list[dict]:
    current = results.get("current", {}).get(key, {})
    proposed = results.get("proposed", {}).get(key, {})
    names = sorted(set(current) | set(proposed), key=lambda k: (-current.get(k, 0), k))
    return [
        {
            "label": labels(name),
            "current": current.get(name, 0),
            "proposed": proposed.get(name, 0),
            "change": proposed.get(name, 0) - current.get(name, 0),
        }
        for name in names
    ]


@permission_required(VIEW, raise_exception=True)
def policy_preview_detail(request: HttpRequest, preview_id: int) -> HttpResponse:
    preview = selectors.policy_preview(preview_id=preview_id)
    base = selectors.policy_version(version=preview.base_version)
    adopt = AdoptPreviewForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(ADMINISTER):
            raise PermissionDenied("Only an administrator can change the escalation policy.")
        if adopt.is_valid():
            try:
                made = policy_version_create(
                    document=preview.document, note=adopt.cleaned_data["note"], actor=request.user
                )
            except ValidationError as refused:
                _refusal_to_form(adopt, refused)
            else:
                messages.success(request, f"Policy version {made.version} is now in force.")
                return redirect("arrears:policy")
    results = preview.results or {}
    context = {
        "preview": preview,
        "base": base,
        "changes": document_differences(base.document, preview.document),
        "actions": _comparison(results, "actions", action_label),
        "guards": _comparison(results, "guards", lambda k: GUARD_LABELS.get(k, k)),
        "letters": _comparison(results, "letters", lambda k: LETTER_LABELS.get(k, k)),
        "stages": _comparison(results, "stages", lambda k: STAGE_LABELS.get(k, k)),
        "form": adopt,
        "can_adopt": request.user.has_perm(ADMINISTER) and preview.status == "done",
        "is_current": base.version == policy_current().version,
    }
    template = "arrears/preview.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)

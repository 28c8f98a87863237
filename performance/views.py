"""The manager's dashboard (council, patch, officer), targets, CSVs, and write-offs."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import Patch
from cases.permissions import case_for_action
from cases.views.caseload import _safe
from core.models import User
from notices.views import case_page_context, form_errors, load_for_page
from payments.models import Account
from performance import behind, selectors
from performance.charts import bar_chart, line_chart
from performance.figures import Scope, financial_year_label
from performance.forms import (
    TargetsForm,
    TracingAttemptForm,
    WriteOffDecisionForm,
    WriteOffProposeForm,
)
from performance.models import Measure, WriteOff
from performance.services import target_set
from performance.writeoffs import (
    limit_text,
    tracing_attempt_record,
    write_off_approve,
    write_off_limit_for,
    write_off_propose,
    write_off_refuse,
    write_off_reinstate,
)

VIEW = "cases.view_performance"
SET_TARGETS = "performance.set_target"
APPROVE = "payments.approve_write_off"


def _period(request: HttpRequest) -> str:
    """The officer activity's period from the URL; this week unless it names another."""
    period = request.GET.get("period", "")
    return period if period in selectors.ACTIVITY_PERIODS else "week"


def _render(
    request: HttpRequest, dashboard: selectors.Dashboard, csv_name: str, **ids: int
) -> HttpResponse:
    for table in dashboard.all_tables:
        table.csv_url = reverse(f"performance:{csv_name}", kwargs={**ids, "table": table.key})
        if table.key == "activity" and dashboard.period != "week":
            table.csv_url += f"?period={dashboard.period}"
    return render(
        request,
        "performance/dashboard.html",
        {
            "dashboard": dashboard,
            "chart": bar_chart(dashboard.collection_chart),
            "arrears_trend": line_chart(
                [(p.day, p.current_arrears) for p in dashboard.trend], label=_pounds
            ),
            "collection_trend": line_chart(
                [(p.day, p.collection.percent if p.collection else None) for p in dashboard.trend],
                label=_percent,
                target=dashboard.trend_target,
                from_zero=False,
            ),
            "can_set_targets": request.user.has_perm(SET_TARGETS),
            "periods": selectors.ACTIVITY_PERIODS,
            "patch_tables": [t for k, t in dashboard.more.items() if k.startswith("patch-")],
        },
    )


def _pounds(value: Decimal) -> str:
    return f"£{value:,.0f}"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _csv(dashboard: selectors.Dashboard, key: str, filename: str) -> HttpResponse:
    try:
        table = dashboard.table(key)
    except StopIteration:
        raise Http404("No such table") from None
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{key}.csv"'
    writer = csv.writer(response)
    writer.writerow([table.row_heading or "", *table.columns])
    for row in table.rows:
        writer.writerow([_safe(row.label), *(_safe(cell.value) for cell in row.cells)])
    return response


@require_GET
@permission_required(VIEW, raise_exception=True)
def council(request: HttpRequest) -> HttpResponse:
    """The council's figures with a row per patch, against each patch's targets."""
    dashboard = selectors.council_dashboard(today=timezone.localdate(), period=_period(request))
    return _render(request, dashboard, "council_csv")


@require_GET
@permission_required(VIEW, raise_exception=True)
def council_csv(request: HttpRequest, table: str) -> HttpResponse:
    dashboard = selectors.council_dashboard(today=timezone.localdate(), period=_period(request))
    return _csv(dashboard, table, f"council-{timezone.localdate():%Y-%m-%d}")


@require_GET
@permission_required(VIEW, raise_exception=True)
def patch(request: HttpRequest, patch_id: int) -> HttpResponse:
    """One patch's figures with a row per officer, and the patch against its targets."""
    the_patch = get_object_or_404(Patch, pk=patch_id)
    dashboard = selectors.patch_dashboard(
        patch=the_patch, today=timezone.localdate(), period=_period(request)
    )
    return _render(request, dashboard, "patch_csv", patch_id=the_patch.pk)


@require_GET
@permission_required(VIEW, raise_exception=True)
def patch_csv(request: HttpRequest, patch_id: int, table: str) -> HttpResponse:
    the_patch = get_object_or_404(Patch, pk=patch_id)
    dashboard = selectors.patch_dashboard(
        patch=the_patch, today=timezone.localdate(), period=_period(request)
    )
    return _csv(dashboard, table, f"patch-{the_patch.code}-{timezone.localdate():%Y-%m-%d}")


def _officer_for(request: HttpRequest, officer_id: int) -> User:
    """Managers see any officer's figures; an officer sees their own."""
    if request.user.pk != officer_id and not request.user.has_perm(VIEW):
        raise PermissionDenied("You can see your own figures, not another officer's.")
    return get_object_or_404(User, pk=officer_id)


@require_GET
def officer(request: HttpRequest, officer_id: int) -> HttpResponse:
    the_officer = _officer_for(request, officer_id)
    dashboard = selectors.officer_dashboard(
        officer=the_officer, today=timezone.localdate(), period=_period(request)
    )
    return _render(request, dashboard, "officer_csv", officer_id=the_officer.pk)


@require_GET
def officer_csv(request: HttpRequest, officer_id: int, table: str) -> HttpResponse:
    the_officer = _officer_for(request, officer_id)
    dashboard = selectors.officer_dashboard(
        officer=the_officer, today=timezone.localdate(), period=_period(request)
    )
    return _csv(dashboard, table, f"officer-{the_officer.username}")


@require_http_methods(["GET", "POST"])
@permission_required(SET_TARGETS, raise_exception=True)
def targets(request: HttpRequest, patch_id: int) -> HttpResponse:
    """A manager sets the patch's targets for this financial year."""
    the_patch = get_object_or_404(Patch, pk=patch_id)
    year = selectors.financial_year_of(timezone.localdate())
    current = {m: t.value for m, t in selectors.targets_for(patch=the_patch, year=year).items()}
    form = TargetsForm(request.POST or None, initial_targets=current)
    if request.method == "POST" and form.is_valid():
        changed = 0
        try:
            for measure in Measure:
                value = form.cleaned_data.get(measure.value)
                if value is not None and target_set(
                    patch=the_patch, year=year, measure=measure, value=value, actor=request.user
                ):
                    changed += 1
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request,
                f"{changed} target{'s' if changed != 1 else ''} set for patch {the_patch.code} "
                f"in {financial_year_label(year)}.",
            )
            return redirect("performance:patch", patch_id=the_patch.pk)
    return render(
        request,
        "performance/targets.html",
        {
            "patch": the_patch,
            "form": form,
            "year_label": financial_year_label(year),
            "page_title": f"Targets for patch {the_patch.code}",
        },
    )


# Write-offs -------------------------------------------------------------------------------


@require_GET
def write_offs(request: HttpRequest) -> HttpResponse:
    """Write-offs awaiting a decision, oldest first, and the approver's own limit."""
    if not (request.user.has_perm(APPROVE) or request.user.has_perm("cases.work_case")):
        raise PermissionDenied("You cannot see write-offs.")
    waiting = (
        WriteOff.objects.filter(status=WriteOff.Status.PROPOSED)
        .select_related("case", "account", "proposed_by")
        .order_by("proposed_at")
    )
    decided = (
        WriteOff.objects.exclude(status=WriteOff.Status.PROPOSED)
        .select_related("case", "account", "proposed_by", "decided_by", "reinstated_by")
        .order_by("-decided_at")[:20]
    )
    limit = write_off_limit_for(request.user)
    return render(
        request,
        "performance/write_offs.html",
        {
            "waiting": waiting,
            "decided": decided,
            "limit": limit_text(limit),
            "can_decide": limit is not None,
            "form": WriteOffDecisionForm(),
        },
    )


@require_http_methods(["POST"])
@permission_required(APPROVE, raise_exception=True)
def write_off_decide(request: HttpRequest, write_off_id: int) -> HttpResponse:
    write_off = get_object_or_404(WriteOff, pk=write_off_id)
    form = WriteOffDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or refuse.")
        return redirect("performance:write_offs")
    try:
        if form.cleaned_data["decision"] == "approve":
            write_off_approve(
                write_off=write_off,
                actor=request.user,
                today=timezone.localdate(),
                note=form.cleaned_data["note"],
            )
            messages.success(
                request, f"Write-off {write_off.reference} approved and posted to the account."
            )
        else:
            note = form.cleaned_data["note"]
            write_off_refuse(write_off=write_off, actor=request.user, note=note)
            messages.success(request, f"Write-off {write_off.reference} refused.")
    except ValidationError as error:
        messages.error(
            request, f"Write-off {write_off.reference} was not decided: {' '.join(error.messages)}"
        )
    return redirect("performance:write_offs")


@require_http_methods(["POST"])
@permission_required(APPROVE, raise_exception=True)
def write_off_reinstate_view(request: HttpRequest, write_off_id: int) -> HttpResponse:
    write_off = get_object_or_404(WriteOff, pk=write_off_id)
    try:
        write_off_reinstate(
            write_off=write_off,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            today=timezone.localdate(),
        )
    except ValidationError as error:
        messages.error(
            request,
            f"Write-off {write_off.reference} was not reinstated: {' '.join(error.messages)}",
        )
    else:
        messages.success(
            request,
            f"Write-off {write_off.reference} reinstated: the debt is back on the account.",
        )
    return redirect("performance:write_offs")


@require_http_methods(["GET", "POST"])
def write_off_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """An officer proposes writing off one of the case's debts."""
    today = timezone.localdate()
    case = load_for_page(case_for_action(request.user, case_id, today=today))
    accounts = Account.objects.filter(
        case=case, status=Account.Status.OPEN, balance__gt=0
    ).order_by("reference")
    form = WriteOffProposeForm(request.POST or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        try:
            write_off = write_off_propose(
                account=form.cleaned_data["account"],
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data["evidence"],
                actor=request.user,
                today=today,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request,
                f"Write-off {write_off.reference} proposed: it needs a second person's approval.",
            )
            return redirect("case", case_id=case.pk)
    return render(
        request,
        "performance/case_form.html",
        {
            **case_page_context(case),
            "back_url": reverse("case", args=[case.pk]),
            "form": form,
            "page_title": "Propose a write-off",
            "button": "Propose the write-off",
            "tracing_url": reverse("performance:tracing_new", args=[case.pk]),
            "tracing": case.tracing_attempts.select_related("recorded_by"),
        },
    )


@require_http_methods(["GET", "POST"])
def tracing_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record an attempt to trace a former tenant."""
    today = timezone.localdate()
    case = load_for_page(case_for_action(request.user, case_id, today=today))
    form = TracingAttemptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tracing_attempt_record(case=case, actor=request.user, today=today, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Tracing attempt recorded.")
            return redirect("performance:write_off_new", case_id=case.pk)
    return render(
        request,
        "performance/case_form.html",
        {
            **case_page_context(case),
            "back_url": reverse("performance:write_off_new", args=[case.pk]),
            "form": form,
            "page_title": "Record a tracing attempt",
            "button": "Record the attempt",
            "tracing": case.tracing_attempts.select_related("recorded_by"),
        },
    )


# The cases behind a figure ----------------------------------------------------------------

BEHIND_PAGE = 200


def _int(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _behind(request: HttpRequest, figure: str) -> tuple[behind.Drill, behind.Params, str]:
    """The drill-down the URL asks for, if the person may see it."""
    patch_id, officer_id, user_id = (
        _int(request, "patch"),
        _int(request, "officer"),
        _int(request, "user"),
    )
    own = request.user.pk in (officer_id, user_id) and patch_id is None
    if not (request.user.has_perm(VIEW) or own):
        raise PermissionDenied("You can see the cases behind your own figures, not another's.")
    today = timezone.localdate()
    start, end, _ = selectors.activity_period(today=today, period=_period(request))
    params = behind.Params(
        today=today,
        scope=Scope(patch_id=patch_id, officer_id=officer_id),
        start=start,
        end=end,
        stage=request.GET.get("stage", ""),
        user_id=user_id,
    )
    try:
        drill = behind.cases_behind(figure, params)
    except KeyError:
        raise Http404("No such figure") from None
    whose = []
    if patch_id is not None:
        whose.append(f"patch {get_object_or_404(Patch, pk=patch_id).code}")
    if officer_id is not None:
        whose.append(f"{get_object_or_404(User, pk=officer_id)}'s cases")
    if user_id is not None:
        whose.append(f"by {get_object_or_404(User, pk=user_id)}")
    return drill, params, ", ".join(whose) or "the council"


def _figures_url(request: HttpRequest) -> str:
    """Back to the dashboard the figure was on."""
    patch_id, officer_id = _int(request, "patch"), _int(request, "officer")
    if officer_id is not None and patch_id is None:
        return reverse("performance:officer", args=[officer_id])
    if patch_id is not None:
        return reverse("performance:patch", args=[patch_id])
    if not request.user.has_perm(VIEW):
        return reverse("performance:officer", args=[request.user.pk])
    return reverse("performance:council")


@require_GET
def cases_behind(request: HttpRequest, figure: str) -> HttpResponse:
    """The cases behind one dashboard figure, largest share first, each linked."""
    drill, _, whose = _behind(request, figure)
    total = drill.rows.count()
    rows = list(drill.rows[:BEHIND_PAGE])
    cases = behind.cases_of([r["case_pk"] for r in rows])
    listed = [
        (
            cases[r["case_pk"]],
            [(r[key], kind) for key, kind in zip(_keys(r), _kinds(drill), strict=True)],
        )
        for r in rows
        if r["case_pk"] in cases
    ]
    return render(
        request,
        "performance/cases_behind.html",
        {
            "drill": drill,
            "whose": whose,
            "listed": listed,
            "total": total,
            "shown": len(listed),
            "csv_url": reverse("performance:cases_behind_csv", args=[figure])
            + ("?" + request.GET.urlencode() if request.GET else ""),
            "page_title": drill.title,
            "back_url": _figures_url(request),
        },
    )


def _kinds(drill: behind.Drill) -> list[str]:
    return [kind for _, kind in drill.columns]


def _keys(row: dict) -> list[str]:
    return [key for key in row if key != "case_pk"]


@require_GET
def cases_behind_csv(request: HttpRequest, figure: str) -> StreamingHttpResponse:
    drill, _, _ = _behind(request, figure)

    def lines():
        buffer = _Echo()
        writer = csv.writer(buffer)
        yield writer.writerow(
            ["Case", "Patch", "Officer", *(h for h, _ in drill.columns), "Rent arrears now"]
        )
        for batch in _batches(drill.rows.iterator(chunk_size=2000), 2000):
            cases = behind.cases_of([r["case_pk"] for r in batch])
            for r in batch:
                case = cases.get(r["case_pk"])
                if case is None:
                    continue
                officer = case.officer or case.patch.officer
                yield writer.writerow(
                    [
                        case.reference,
                        case.patch.code,
                        _safe(str(officer) if officer else ""),
                        *(_safe(r[key]) for key in _keys(r)),
                        case.rent_arrears,
                    ]
                )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="cases-behind-{figure}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _batches(rows, size: int):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch

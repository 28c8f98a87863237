"""The caseload page, its htmx rows and its CSV export."""

import csv
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_GET

from cases.caseload import (
    PAGE_SIZE,
    SORTS,
    Caseload,
    CaseloadQuery,
    caseload_for,
    export_rows,
)
from cases.models import Case
from cases.services import caseload_export_finish, caseload_export_start
from core.templatetags.money import money, weeks

EXPORT_COLUMNS = [
    ("Case", "reference"),
    ("Tenancy", "tenancy_reference"),
    ("Lead tenant", "lead_name"),
    ("Address", "address"),
    ("Postcode", "postcode"),
    ("Patch", "patch_code"),
    ("Tenure", "tenure_label"),
    ("Stage", "stage_label"),
    ("Rent arrears", "rent_arrears"),
    ("Balance (all debts)", "balance"),
    ("Weeks in arrears", "weeks_in_arrears"),
    ("Technical arrears", "technical_arrears"),
    ("Weekly charge", "weekly_charge"),
    ("Last payment", "last_payment_on"),
    ("Last contact", "last_contact_on"),
    ("Arrangement", "arrangement_state"),
    ("Next action", "next_action_label"),
    ("Next action due", "next_action_due"),
    ("Holds", "holds"),
    ("Vulnerability", "vulnerability"),
]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The caseload: filters on the left with counts, the cases on the right.

    A GET form keeps every filter in the URL. htmx (when it runs) swaps the
    #caseload region with the same template's partial; without it, the page reloads.
    """
    query, errors = CaseloadQuery.from_querydict(request.GET)
    caseload = caseload_for(
        user=request.user, query=query, today=timezone.localdate(), errors=errors
    )
    context = {
        "caseload": caseload,
        "rows": [_row(case) for case in caseload.rows],
        "query": query,
        "sort_headers": _sort_headers(query),
        "selected_filters": _selected_filters(caseload),
        "export_query": query.querydict().urlencode(),
        "previous_query": query.querydict(
            before=caseload.previous_cursor, start=max(1, caseload.first_position - PAGE_SIZE)
        ).urlencode()
        if caseload.previous_cursor
        else None,
        "next_query": query.querydict(
            after=caseload.next_cursor, start=caseload.last_position + 1
        ).urlencode()
        if caseload.next_cursor
        else None,
    }
    template = "cases/home.html"
    if request.htmx and request.htmx.target == "caseload":
        template += "#caseload"
    return render(request, template, context)


# The tags a row can carry, in the order they show, with their GOV.UK colour.
ROW_TAGS = (
    ("on_breathing_space", "govuk-tag--red", "Breathing Space"),
    ("on_pause", "govuk-tag--grey", "Paused"),
    ("on_dispute", "govuk-tag--yellow", "Dispute"),
    ("on_benefit_claim", "govuk-tag--light-blue", "Benefit pending"),
)


def _row(case: Case) -> dict[str, Any]:
    """What one row of the table shows, as plain strings.

    Built here rather than in the template: fifty rows of template lookups and filters
    cost about twice what the rest of the page's rendering does.
    """
    tags = [(colour, text) for attribute, colour, text in ROW_TAGS if getattr(case, attribute)]
    if case.has_safeguarding:
        tags.append(("govuk-tag--red", "Safeguarding"))
    elif case.is_vulnerable:
        tags.append(("govuk-tag--purple", "Vulnerable"))
    if case.arrangement_state:
        colour = "govuk-tag--orange" if case.arrangement_state in ("broken", "missed") else ""
        tags.append((colour or "govuk-tag--green", f"Arrangement {case.arrangement_state}"))
    property_ = case.tenancy.property
    return {
        "url": reverse("case", args=[case.pk]),
        "name": f"{case.lead_first_name or ''} {case.lead_last_name or ''}",
        "where": f"{case.reference} · {property_.address_line_1}, {property_.postcode}"
        f" · {case.patch.code}",
        "what": f"{case.tenure_label} · {case.stage_label}",
        "tags": tags,
        "arrears": money(case.rent_arrears),
        "technical": money(case.technical_arrears) if case.technical_arrears > 0 else "",
        "weeks": weeks(case.weeks_in_arrears),
        "next_action": case.next_action_label,
        "due": date_format(case.next_action_due, "j M Y") if case.next_action_due else "",
        "contact": date_format(case.last_contact_on, "j M Y") if case.last_contact_on else "",
    }


def _sort_headers(query: CaseloadQuery) -> dict[str, dict[str, str]]:
    """Each sortable column's link (reversing the order if it is the current sort)."""
    headers = {}
    for key, sort in SORTS.items():
        current = query.sort == key
        descending = not query.descending if current else sort.default_descending
        headers[key] = {
            "href": "?" + query.querydict(sort=key, descending=descending).urlencode(),
            "aria_sort": ("descending" if query.descending else "ascending") if current else "none",
        }
    return headers


def _selected_filters(caseload: Caseload) -> list[dict]:
    """The filters in force, each with a link that removes it (MoJ filter's selected tags)."""
    query = caseload.query
    categories = []
    if query.q:
        categories.append(
            {"heading": "Search", "items": [{"text": query.q, "href": "?" + query.without("q")}]}
        )
    for facet in caseload.facets:
        chosen = facet.selected_options
        if chosen:
            categories.append(
                {
                    "heading": facet.legend,
                    "items": [
                        {"text": o.label, "href": "?" + query.without(facet.name, o.value)}
                        for o in chosen
                    ],
                }
            )
    if query.contact_older_than:
        categories.append(
            {
                "heading": "Last contact",
                "items": [
                    {
                        "text": f"More than {query.contact_older_than} days ago, or never",
                        "href": "?" + query.without("contact_older_than"),
                    }
                ],
            }
        )
    if query.weeks_over is not None:
        categories.append(
            {
                "heading": "Weeks in arrears",
                "items": [
                    {
                        "text": f"More than {query.weeks_over} weeks",
                        "href": "?" + query.without("weeks_over"),
                    }
                ],
            }
        )
    if query.officer_id:
        name = next((str(o) for o in caseload.officers if o.pk == query.officer_id), "An officer")
        categories.append(
            {
                "heading": "Officer",
                "items": [{"text": name, "href": "?" + query.without("officer_id")}],
            }
        )
    return categories


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: object) -> object:
    """Stop a spreadsheet reading typed text as a formula (CSV injection, OWASP)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


@require_GET
def caseload_export(request: HttpRequest) -> StreamingHttpResponse:
    """Every case the current filters select, as CSV, streamed in chunks, and logged."""
    query, _errors = CaseloadQuery.from_querydict(request.GET)
    today = timezone.localdate()
    writer = csv.writer(_Echo())
    export = caseload_export_start(user=request.user, filters=query.querydict().urlencode())

    def lines() -> Iterator[str]:
        yield writer.writerow([heading for heading, _ in EXPORT_COLUMNS])
        count = 0
        for row in export_rows(user=request.user, query=query, today=today):
            count += 1
            yield writer.writerow([_safe(row[key]) for _, key in EXPORT_COLUMNS])
        caseload_export_finish(export=export, rows=count)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="caseload-{today:%Y-%m-%d}.csv"'
    return response

"""The caseload page, its htmx rows and its CSV export."""

import csv
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.caseload import SORTS, Caseload, CaseloadQuery, caseload_for, export_rows
from cases.services import caseload_export_finish, caseload_export_start

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
        "query": query,
        "sort_headers": _sort_headers(query),
        "selected_filters": _selected_filters(caseload),
        "export_query": query.querydict().urlencode(),
        "previous_query": query.querydict(before=caseload.previous_cursor).urlencode()
        if caseload.previous_cursor
        else None,
        "next_query": query.querydict(after=caseload.next_cursor).urlencode()
        if caseload.next_cursor
        else None,
    }
    template = "cases/home.html"
    if request.htmx and request.htmx.target == "caseload":
        template += "#caseload"
    return render(request, template, context)


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

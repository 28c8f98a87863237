from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.selectors import my_cases_in_arrears

CASES_PER_PAGE = 50


def home(request: HttpRequest) -> HttpResponse:
    """The officer's cases in arrears. The full caseload with filters builds on this."""
    cases = my_cases_in_arrears(user=request.user, today=timezone.localdate())
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/home.html", {"page": page})

"""Households to write to and serve notices on, and PDFs read back with pypdf."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from pypdf import PdfReader

from cases.models import Case, ProportionalityAssessment, Tenant
from config.celery import app as celery_app
from notices.models import Document
from tests.factories import (
    AccountFactory,
    CaseFactory,
    PropertyFactory,
    TenancyFactory,
    TenantFactory,
)

# A Monday. Rent weeks start on Mondays, so a NOSP's date falls on a Sunday.
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path) -> Path:
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    return settings.DOCUMENTS_ROOT


@pytest.fixture(autouse=True)
def eager_tasks(request):
    """Tasks run in-process, as without Redis, except in tests that start real workers."""
    if "redis" in request.keywords:
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def frozen_today():
    with time_machine.travel(date(2026, 11, 23), tick=False):
        yield TODAY


def household(
    *,
    patch,
    tenure: str = "secure",
    names: tuple[str, ...] = ("Ms Jane Smith",),
    arrears: Decimal = Decimal("1052.00"),
    weekly: Decimal = Decimal("105.20"),
    technical: Decimal = Decimal("0.00"),
    assessed_on: date | None = date(2026, 11, 16),
    large_print: tuple[str, ...] = (),
    address: str = "12 Acorn Close",
    postcode: str = "EB1 2AB",
    **tenancy,
) -> Case:
    """A case on `patch` owing `arrears` of rent, with its tenants and a notice assessment."""
    tenancy.setdefault("rent_period", "weekly")
    tenancy.setdefault("period_start_weekday", 0 if tenancy["rent_period"] == "weekly" else None)
    if tenure == "introductory":
        tenancy.setdefault("trial_period_end", date(2027, 4, 5))
    prop = PropertyFactory(patch=patch, address_line_1=address, postcode=postcode)
    tenancy_row = TenancyFactory(property=prop, tenure=tenure, **tenancy)
    for number, name in enumerate(names):
        title, first, last = name.split(" ", 2)
        TenantFactory(
            tenancy=tenancy_row,
            title=title,
            first_name=first,
            last_name=last,
            is_lead=number == 0,
            preferred_format=(
                Tenant.Format.LARGE_PRINT if name in large_print else Tenant.Format.STANDARD
            ),
        )
    case = CaseFactory(
        tenancy=tenancy_row,
        patch=patch,
        weekly_charge=weekly,
        weekly_net_rent=weekly,
        rent_arrears=arrears,
        balance=arrears,
        technical_arrears=technical,
        figures_on=TODAY,
    )
    AccountFactory(case=case, balance=arrears, weekly_charge=weekly)
    if assessed_on is not None:
        ProportionalityAssessment.objects.create(
            case=case,
            step=ProportionalityAssessment.Step.NOTICE,
            decision=ProportionalityAssessment.Decision.PROCEED,
            assessed_on=assessed_on,
            reasons="Arrears over four weeks with no engagement after letters and a visit.",
        )
    return case


def pdf_text(document: Document) -> str:
    """The PDF's text with whitespace collapsed, so wrapped lines read as written."""
    from django.conf import settings

    content = (Path(settings.DOCUMENTS_ROOT) / document.file).read_bytes()
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_pages(document: Document) -> list[str]:
    from django.conf import settings

    content = (Path(settings.DOCUMENTS_ROOT) / document.file).read_bytes()
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]

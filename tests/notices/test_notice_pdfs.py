"""What the notices say, read back from the PDFs with pypdf."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from notices.models import Document
from notices.services import NoticeRefusedError, notice_approve, notice_draft, notice_submit
from tests.notices.conftest import TODAY, household, pdf_pages, pdf_text

NTQ_PRESCRIBED_INFORMATION = (
    "1. If the tenant or licensee does not leave the dwelling, the landlord or licensor must get "
    "an order for possession from the court before the tenant or licensee can lawfully be "
    "evicted. The landlord or licensor cannot apply for such an order before the notice to quit "
    "or notice to determine has run out. "
    "2. A tenant or licensee who does not know if he has any right to remain in possession after "
    "a notice to quit or a notice to determine runs out can obtain advice from a solicitor. Help "
    "with all or part of the cost of legal advice and assistance may be available under the "
    "Legal Aid Scheme. He should also be able to obtain information from a Citizens' Advice "
    "Bureau, a Housing Aid Centre or a rent officer."
)


def final_notice(case, team, capture, **kwargs) -> Document:
    kwargs.setdefault("planned_service_on", date(2026, 11, 24))
    kwargs.setdefault("planned_service_method", "hand")
    with capture(execute=True):
        notice = notice_draft(case=case, actor=team.alice, today=TODAY, **kwargs)
    notice_submit(notice=notice, actor=team.alice)
    with capture(execute=True):
        notice_approve(notice=notice, actor=team.maggie, today=TODAY)
    return Document.objects.get(notice=notice, is_draft=False)


@pytest.mark.parametrize(
    ("tenure", "title"),
    [
        ("non_secure_tenancy", "Notice to Quit"),
        ("non_secure_licence", "Notice to Determine Licence"),
        ("cooperative", "Notice to Quit"),
    ],
)
def test_notice_to_quit_contains_the_prescribed_information_verbatim(
    team, django_capture_on_commit_callbacks, tenure, title
):
    case = household(patch=team.patch_a, tenure=tenure, names=("Mr Adam Jones", "Ms Beth Jones"))
    document = final_notice(case, team, django_capture_on_commit_callbacks)

    pages = pdf_pages(document)
    text = pdf_text(document)
    assert title in text
    # Each joint tenant's copy carries the prescribed information in full.
    assert text.count(NTQ_PRESCRIBED_INFORMATION) == 2
    # The date it takes effect, with a saving clause.
    assert "27 December 2026 or on the last day of the period of your" in text
    assert "which ends next after the end of four weeks" in text
    assert len(pages) == document.page_count


def test_garage_notice_to_quit_has_no_dwelling_prescribed_information(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a, tenure="garage")
    case.accounts.update(
        kind="garage",
        rent_lawfully_due=False,
        weekly_charge=Decimal("12.00"),
        balance=Decimal("96.00"),
    )
    document = final_notice(case, team, django_capture_on_commit_callbacks)
    text = pdf_text(document)
    assert "Notice to Quit: garage" in text
    assert "£96.00" in text
    assert "Prescribed information" not in text
    assert "This notice does not affect the tenancy of your home." in text


def test_nosp_names_every_joint_tenant_on_every_copy_with_the_ground_and_dates(
    team, django_capture_on_commit_callbacks
):
    names = ("Ms Jane Smith", "Mr John Smith", "Mx Sam Okafor")
    case = household(patch=team.patch_a, names=names, large_print=("Mr John Smith",))
    document = final_notice(case, team, django_capture_on_commit_callbacks)

    text = pdf_text(document)
    for name in names:
        assert text.count(name) >= 3  # named in each of the three copies
        assert f"for service on {name}" in text
    assert document.large_print
    assert text.count("Notice of Seeking Possession Housing Act 1985 section 83") == 3
    assert (
        "Rent lawfully due from the tenant has not been paid or an obligation of the tenancy has "
        "been broken or not performed."
    ) in text
    assert (
        "On 23 November 2026 the arrears of rent were £1,052.00, which is 10.0 weeks' rent at the "
        "current rent of £105.20 a week." in text
    )
    assert (
        "Court proceedings for possession of the dwelling-house can be begun after: "
        "27 December 2026" in text
    )
    assert "Once the twelve months are up this Notice will lapse" in text
    assert "On behalf of Borough of Eastbrook Council" in text
    assert "Maggie Maple" in text
    # Each copy says which prescribed form, as amended, it follows.
    assert (
        text.count(
            "Form: Secure Tenancies (Notices) Regulations 1987 (SI 1987/755) Schedule Part I, "
            "as amended to SI 2021/946."
        )
        == 3
    )


def test_flexible_notice_is_the_part_ii_termination_form(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a, tenure="flexible", fixed_term_end=date(2030, 4, 5))
    text = pdf_text(final_notice(case, team, django_capture_on_commit_callbacks))
    assert "Notice of Seeking Termination of Tenancy and Recovery of Possession" in text
    assert "order terminating your tenancy" in text


def test_notice_of_proceedings_gives_reasons_the_review_right_and_advice(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a, tenure="introductory", trial_period_end=date(2027, 4, 5))
    document = final_notice(
        case,
        team,
        django_capture_on_commit_callbacks,
        reasons="You have not paid your rent since September and have not replied to our letters.",
    )
    text = pdf_text(document)
    assert "will ask the court to make an order for possession of: 12 Acorn Close" in text
    assert "You have not paid your rent since September" in text
    assert "Proceedings for possession of your home may be begun after: 27 December 2026" in text
    assert "You must ask within 14 days beginning with the day this notice is served on you" in text
    assert "you must ask by 7 December 2026" in text
    assert (
        "take it immediately to a Citizens Advice Bureau, a housing aid centre, a law centre "
        "or a solicitor"
    ) in text


@pytest.mark.parametrize(
    ("registered", "form", "weeks", "ground_8", "date_after"),
    [
        (True, "Form 3", "2 weeks", "at least eight weeks' rent is unpaid", "8 December 2026"),
        (
            False,
            "Form 3A",
            "4 weeks",
            "at least thirteen weeks' rent is unpaid",
            "22 December 2026",
        ),
    ],
)
def test_section_8_notice_follows_the_form_and_periods_of_its_regime(
    team, django_capture_on_commit_callbacks, registered, form, weeks, ground_8, date_after
):
    case = household(
        patch=team.patch_a,
        tenure="assured",
        landlord_registered_provider=registered,
        landlord_name="Eastbrook Living Ltd",
        arrears=Decimal("1400.00"),
        weekly=Decimal("100.00"),
    )
    text = pdf_text(final_notice(case, team, django_capture_on_commit_callbacks))
    assert form in text
    assert ground_8 in text
    assert "Ground 10" in text and "Ground 11" in text
    assert (
        f"court proceedings cannot begin until {weeks} after the date this notice is served" in text
    )
    assert f"The court proceedings will not begin until after: {date_after}" in text
    assert "not later than 12 months from the date on which this notice is served" in text
    assert "On behalf of Eastbrook Living Ltd" in text
    assert "£1,400.00" in text


def test_a_refused_notice_produces_no_pdf_and_says_why(
    team, django_capture_on_commit_callbacks, documents_root
):
    case = household(patch=team.patch_a, assessed_on=None)
    with (
        pytest.raises(NoticeRefusedError) as refused,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notice_draft(
            case=case,
            actor=team.alice,
            today=TODAY,
            planned_service_on=date(2026, 11, 24),
            planned_service_method="hand",
        )
    assert refused.value.messages == [
        "No proportionality and equality assessment for serving a notice has been recorded."
    ]
    assert not Document.objects.exists()
    assert not any(Path(documents_root).rglob("*.pdf")) if Path(documents_root).exists() else True

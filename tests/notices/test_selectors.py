"""The case page lists a case's notices and documents through these selectors (issue 4)."""

from datetime import UTC, date, datetime, timedelta

from notices.models import Document, DocumentKind, Notice, NoticeKind
from notices.selectors import documents_for_case, notices_for_case
from tests.factories import CaseFactory


def _document(case, kind, when):
    return Document.objects.create(
        case=case,
        kind=kind,
        title=kind.label,
        template_name="x",
        template_version="1",
        requested_at=when,
    )


def test_documents_for_case_lists_only_that_cases_documents_newest_first(db):
    case, other = CaseFactory(), CaseFactory()
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    older = _document(case, DocumentKind.ARREARS_LETTER_1, start)
    newer = _document(case, DocumentKind.ARREARS_LETTER_2, start + timedelta(days=14))
    _document(other, DocumentKind.ARREARS_LETTER_1, start)

    assert list(documents_for_case(case=case)) == [newer, older]


def test_notices_for_case_lists_only_that_cases_notices_newest_first(db, django_assert_num_queries):
    case, other = CaseFactory(), CaseFactory()
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    first = Notice.objects.create(
        case=case,
        tenancy=case.tenancy,
        kind=NoticeKind.NOSP,
        status=Notice.Status.WITHDRAWN,
        created_at=start,
    )
    second = Notice.objects.create(
        case=case,
        tenancy=case.tenancy,
        kind=NoticeKind.NOSP,
        served_on=date(2026, 11, 20),
        created_at=start + timedelta(days=30),
    )
    Notice.objects.create(case=other, tenancy=other.tenancy, kind=NoticeKind.NOSP)

    with django_assert_num_queries(2):  # the notices, then every service record at once
        notices = list(notices_for_case(case=case))
        assert [list(n.services.all()) for n in notices] == [[], []]
    assert notices == [second, first]

"""Every document template, its version and, for notices, the prescribed form it follows.

The version is printed in each PDF's footer and stored on each Document, so any
letter or notice can be matched to the wording it was sent with. Change a template's
wording, change its version here (and a legal officer signs off the new wording).
"""

from dataclasses import dataclass

from notices.models import DocumentKind, NoticeKind


@dataclass(frozen=True)
class DocumentTemplate:
    kind: DocumentKind
    path: str
    code: str
    version: str
    title: str
    form: str = ""
    # What the print room puts in the envelope with it (pre-printed).
    enclosures: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"


_TEMPLATES = [
    DocumentTemplate(
        DocumentKind.ARREARS_LETTER_1,
        "documents/letters/arrears_letter_1.html",
        "L1",
        "1.0",
        "Your rent account is behind",
    ),
    DocumentTemplate(
        DocumentKind.ARREARS_LETTER_2,
        "documents/letters/arrears_letter_2.html",
        "L2",
        "1.0",
        "You still owe rent: please contact us",
    ),
    DocumentTemplate(
        DocumentKind.PRE_NOTICE_WARNING,
        "documents/letters/pre_notice_warning.html",
        "L3",
        "1.0",
        "We may take legal action about your rent arrears",
    ),
    DocumentTemplate(
        DocumentKind.ARRANGEMENT_CONFIRMATION,
        "documents/letters/arrangement_confirmation.html",
        "A1",
        "1.0",
        "Your agreement to pay your rent arrears",
    ),
    DocumentTemplate(
        DocumentKind.ARRANGEMENT_MISSED,
        "documents/letters/arrangement_missed.html",
        "A2",
        "1.0",
        "You have missed a payment under your agreement",
    ),
    DocumentTemplate(
        DocumentKind.ARRANGEMENT_BROKEN,
        "documents/letters/arrangement_broken.html",
        "A3",
        "1.0",
        "Your agreement to pay your rent arrears has ended",
    ),
    DocumentTemplate(
        DocumentKind.NOTICE_OF_DEFAULT,
        "documents/letters/notice_of_default.html",
        "C1",
        "1.0",
        "You have not kept to the court order",
    ),
    DocumentTemplate(
        DocumentKind.PRE_ACTION_PROTOCOL,
        "documents/letters/pre_action_protocol.html",
        "C2",
        "1.0",
        "We intend to apply to the court for possession of your home",
        # PAP: send the tenant a copy of the Protocol (legal-reference.md §8 para 10).
        enclosures=(
            "a printed copy of the Pre-Action Protocol for Possession Claims by Social Landlords",
        ),
    ),
    DocumentTemplate(
        DocumentKind.COURT_HEARING,
        "documents/letters/court_hearing.html",
        "C3",
        "1.0",
        "Your court hearing: your home is at risk",
    ),
    DocumentTemplate(
        DocumentKind.STATEMENT,
        "documents/statement.html",
        "S1",
        "1.0",
        "Statement of your rent account",
    ),
    DocumentTemplate(
        DocumentKind.NOSP,
        "documents/notices/nosp.html",
        "N1",
        "1.0",
        "Notice of Seeking Possession",
        "Secure Tenancies (Notices) Regulations 1987 (SI 1987/755) Schedule Part I, "
        "as amended to SI 2021/946",
    ),
    DocumentTemplate(
        DocumentKind.FLEXIBLE_TERMINATION,
        "documents/notices/nosp.html",
        "N2",
        "1.0",
        "Notice of Seeking Termination of Tenancy and Recovery of Possession",
        "Secure Tenancies (Notices) Regulations 1987 (SI 1987/755) Schedule Part II, "
        "as amended to SI 2021/946",
    ),
    DocumentTemplate(
        DocumentKind.NOTICE_OF_PROCEEDINGS,
        "documents/notices/notice_of_proceedings.html",
        "N3",
        "1.0",
        "Notice of proceedings for possession",
        "Housing Act 1996 s128 (no prescribed form; statutory contents)",
    ),
    DocumentTemplate(
        DocumentKind.S8_FORM_3,
        "documents/notices/section_8.html",
        "N4",
        "1.0",
        "Notice seeking possession of a property let on an assured tenancy",
        "Form 3, Assured Tenancies and Agricultural Occupancies (Forms) (England) "
        "Regulations 2015, as amended from 4 May 2021 (social housing assured)",
    ),
    DocumentTemplate(
        DocumentKind.S8_FORM_3A,
        "documents/notices/section_8.html",
        "N5",
        "1.0",
        "Notice seeking possession of a property let on an assured tenancy",
        "Form 3A, as prescribed from 1 May 2026 under the Renters' Rights Act 2025",
    ),
    DocumentTemplate(
        DocumentKind.NOTICE_TO_QUIT,
        "documents/notices/notice_to_quit.html",
        "N6",
        "1.0",
        "Notice to Quit",
        "Protection from Eviction Act 1977 s5; Notices to Quit etc. (Prescribed "
        "Information) Regulations 1988 (SI 1988/2201)",
    ),
    DocumentTemplate(
        DocumentKind.NOTICE_TO_DETERMINE,
        "documents/notices/notice_to_quit.html",
        "N7",
        "1.0",
        "Notice to Determine a Licence",
        "Protection from Eviction Act 1977 s5(1A); Notices to Quit etc. (Prescribed "
        "Information) Regulations 1988 (SI 1988/2201)",
    ),
    DocumentTemplate(
        DocumentKind.GARAGE_NOTICE_TO_QUIT,
        "documents/notices/garage_notice.html",
        "N8",
        "1.0",
        "Notice to Quit a garage",
        "Common law and the garage licence or tenancy agreement",
    ),
    DocumentTemplate(
        DocumentKind.CERTIFICATE_OF_SERVICE,
        "documents/certificate_of_service.html",
        "N9",
        "1.0",
        "Certificate of service",
    ),
    DocumentTemplate(
        DocumentKind.COURT_REPORT,
        "documents/court_report.html",
        "R1",
        "1.0",
        "Court report: possession claim for rent arrears",
    ),
    DocumentTemplate(
        DocumentKind.PARTICULARS_OF_CLAIM,
        "documents/court/particulars_of_claim.html",
        "R2",
        "1.0",
        "Particulars of claim for possession: rent arrears",
        "CPR 55.4 and PD 55A para 2.1-2.4A; to accompany claim form N5 (content of N119)",
    ),
    DocumentTemplate(
        DocumentKind.WARRANT_APPLICATION,
        "documents/court/warrant_application.html",
        "R3",
        "1.0",
        "Warrant of possession: application summary",
        "CPR 83.26; the details for form N325 or N325A",
    ),
    DocumentTemplate(
        DocumentKind.EVICTION_REPORT,
        "documents/court/eviction_report.html",
        "R4",
        "1.0",
        "Eviction report: application for a warrant of possession",
    ),
    DocumentTemplate(
        DocumentKind.REVIEW_DECISION,
        "documents/letters/review_decision.html",
        "C4",
        "1.0",
        "The review of our decision to seek possession of your home",
    ),
    DocumentTemplate(
        DocumentKind.MONEY_CLAIM,
        "documents/court/money_claim.html",
        "R5",
        "1.0",
        "Money claim summary",
        "CPR Part 7 and PD 7A; Pre-Action Protocol for Debt Claims where the debtor is an "
        "individual",
    ),
]

CATALOGUE: dict[str, DocumentTemplate] = {t.kind.value: t for t in _TEMPLATES}

PRINT_PACK_COVER = DocumentTemplate(
    DocumentKind.ARREARS_LETTER_1, "documents/print_pack_cover.html", "P1", "1.0", "Print pack"
)

NOTICE_DOCUMENT_KIND = {kind.value: DocumentKind(kind.value) for kind in NoticeKind}


def template_for(kind: str) -> DocumentTemplate:
    return CATALOGUE[kind]

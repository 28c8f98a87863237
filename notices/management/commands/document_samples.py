"""Render every document the service produces for fictional households, for review.

    manage.py document_samples --out samples/ [--png]

Builds households of every tenure with two years of rent and payments, contacts,
referrals, an arrangement, a suspended order and a coming hearing; runs the real
services (letters through the nightly path and its print pack, each notice from
draft to approval, service with certificates, a statement and a court report) and
writes the PDFs (and, with --png, 60 dpi page images from pdftoppm) to --out.
Everything is done inside one transaction that is rolled back: nothing is saved.
The legal team signs templates off from these.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from arrears.models import LetterKind, LetterRequest
from cases.models import (
    Case,
    Contact,
    CourtCase,
    Patch,
    Property,
    ProportionalityAssessment,
    Tenancy,
    Tenant,
    VulnerabilityFlag,
)
from cases.services import case_event_record
from core.models import Role, User
from notices.court_packs import court_pack_prepare
from notices.documents import document_render, letter_request_render, statement_produce
from notices.models import Document, Notice
from notices.print_packs import print_pack_build
from notices.services import (
    notice_approve,
    notice_draft,
    notice_mark_printed,
    notice_serve,
    notice_submit,
)
from payments.models import Account, Arrangement, ArrangementCheck, Transaction


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Render every letter, notice, statement and report for fictional households."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Folder for the PDFs.")
        parser.add_argument("--png", action="store_true", help="Also write 60 dpi PNGs (pdftoppm).")

    def handle(self, *args, out: str, png: bool, **options):
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        if png and shutil.which("pdftoppm") is None:
            raise CommandError("--png needs pdftoppm (poppler-utils)")
        with tempfile.TemporaryDirectory() as root, override_settings(DOCUMENTS_ROOT=root):
            written: list[Path] = []
            try:
                with transaction.atomic():
                    written = Samples(today=timezone.localdate()).build(folder)
                    raise Rollback
            except Rollback:
                pass
        for pdf in written:
            if png:
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "60", str(pdf), str(pdf.with_suffix(""))], check=True
                )
            self.stdout.write(str(pdf))
        self.stdout.write(
            self.style.SUCCESS(f"{len(written)} documents in {folder} (nothing saved)")
        )


class Samples:
    def __init__(self, *, today) -> None:
        self.today = today
        self.number = 0
        self.officer = self.user("sample.officer", "Alice", "Ash", Role.OFFICER, "Income Officer")
        self.manager = self.user(
            "sample.manager", "Maggie", "Maple", Role.MANAGER, "Income Manager"
        )
        self.patch = Patch.objects.create(code="ZZ9", name="Sample patch", officer=self.officer)

    def user(self, username, first, last, role, title) -> User:
        user = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            job_title=title,
            phone="01632 960123",
            email=f"{first.lower()}.{last.lower()}@eastbrook.example.gov.uk",
        )
        user.groups.add(Group.objects.get(name=Role(role).value))
        return user

    # Households -------------------------------------------------------------------------

    def household(
        self,
        tenure: str,
        *,
        names=("Ms Jane Smith",),
        large_print=(),
        weekly="105.20",
        weeks_unpaid: int = 12,
        **tenancy,
    ) -> Case:
        self.number += 1
        tenancy.setdefault("rent_period", "weekly")
        if tenancy["rent_period"] == "weekly":
            tenancy.setdefault("period_start_weekday", 0)
        prop = Property.objects.create(
            reference=f"ZZP{self.number:05d}",
            address_line_1=f"{self.number * 2} Acorn Close",
            town="Eastbrook",
            postcode="EB1 2AB",
            patch=self.patch,
            bedrooms=2,
            kind="garage" if tenure == "garage" else "flat",
        )
        tenancy_row = Tenancy.objects.create(
            reference=f"ZZT{self.number:05d}",
            property=prop,
            tenure=tenure,
            start_date=self.today - timedelta(days=900),
            **tenancy,
        )
        for position, name in enumerate(names):
            title, first, last = name.split(" ", 2)
            Tenant.objects.create(
                tenancy=tenancy_row,
                title=title,
                first_name=first,
                last_name=last,
                is_lead=position == 0,
                date_of_birth=self.today.replace(year=self.today.year - 41 - position * 3),
                preferred_format="large_print" if name in large_print else "standard",
            )
        if tenure != "garage":
            Tenant.objects.create(
                tenancy=tenancy_row,
                is_tenant=False,
                first_name="Leo",
                last_name=last,
                date_of_birth=self.today.replace(year=self.today.year - 9),
            )
        weekly_charge = Decimal(weekly)
        case = Case.objects.create(
            reference=f"ZZC{self.number:05d}",
            tenancy=tenancy_row,
            patch=self.patch,
            stage="letter_2",
            weekly_charge=weekly_charge,
            weekly_net_rent=weekly_charge,
            figures_on=self.today,
        )
        account = Account.objects.create(
            reference=f"9{self.number:07d}",
            case=case,
            tenancy=tenancy_row,
            kind="garage" if tenure == "garage" else "rent",
            rent_lawfully_due=tenure != "garage",
            opened_on=tenancy_row.start_date,
            weekly_charge=weekly_charge,
        )
        self._ledger(account, weekly_charge, weeks_unpaid)
        case.rent_arrears = case.balance = Account.objects.get(pk=account.pk).balance
        case.save(update_fields=["rent_arrears", "balance"])
        ProportionalityAssessment.objects.create(
            case=case,
            step="notice",
            decision="proceed",
            assessed_on=self.today - timedelta(days=3),
            assessed_by=self.manager,
            vulnerabilities_considered="Tenant's anxiety (GP letter seen).",
            support_and_referrals="Referred to Money Advice and the welfare benefits team.",
            alternatives_tried="Two arrangements offered; DHP application made and refused.",
            impact_on_children="One child at the local primary school; considered.",
            reasons="Arrears over eight weeks after letters, calls, a visit and support offered.",
        )
        return case

    def _ledger(self, account: Account, weekly: Decimal, weeks_unpaid: int) -> None:
        """Two years of weekly rent; paid in full until `weeks_unpaid` weeks ago, then little."""
        start = self.today - timedelta(days=self.today.weekday()) - timedelta(weeks=104)
        lines, balance = [], Decimal("0")
        for week in range(105):
            monday = start + timedelta(weeks=week)
            lines.append(
                Transaction(
                    account=account,
                    kind="charge",
                    effective_date=monday,
                    amount=weekly,
                    source="seed",
                    source_reference=f"zz-{account.pk}-c{week}",
                    description="Rent",
                )
            )
            balance += weekly
            paid = (
                weekly
                if week < 105 - weeks_unpaid
                else (Decimal("20.00") if week % 3 == 0 else Decimal(0))
            )
            kind = "housing_benefit" if week % 4 == 0 and week < 60 else "payment"
            if paid:
                lines.append(
                    Transaction(
                        account=account,
                        kind=kind,
                        effective_date=monday + timedelta(days=2),
                        amount=-paid,
                        source="seed",
                        source_reference=f"zz-{account.pk}-p{week}",
                        method="benefit" if kind == "housing_benefit" else "direct_debit",
                        description="Housing Benefit" if kind == "housing_benefit" else "",
                    )
                )
                balance -= paid
        Transaction.objects.bulk_create(lines)
        Account.objects.filter(pk=account.pk).update(
            balance=balance,
            last_payment_on=self.today - timedelta(days=12),
            last_payment_amount=Decimal("20.00"),
        )

    def history(self, case: Case) -> None:
        """Contacts, referrals, a vulnerability, an I&E and a broken arrangement."""
        days = [60, 45, 30, 12]
        outcomes = [
            ("phone", "no_answer"),
            ("visit", "card_left"),
            ("phone", "spoke_to_tenant"),
            ("office", "arrangement_discussed"),
        ]
        lead = case.tenancy.tenants.get(is_lead=True)
        for ago, (channel, outcome) in zip(days, outcomes, strict=True):
            Contact.objects.create(
                case=case,
                tenant=lead,
                channel=channel,
                direction="outbound",
                outcome=outcome,
                summary="Discussed the arrears." if outcome == "spoke_to_tenant" else "Tried.",
                contacted_on=self.today - timedelta(days=ago),
                recorded_by=self.officer,
            )
        for ago, kind, label in [
            (40, "welfare_benefits", "Welfare benefits advice"),
            (40, "debt_advice", "Debt advice"),
        ]:
            case_event_record(
                case=case,
                actor=self.officer,
                verb="referral_made",
                occurred_at=timezone.now() - timedelta(days=ago),
                payload={"kind": kind, "kind_label": label, "to": "Eastbrook Money Advice"},
            )
        VulnerabilityFlag.objects.create(
            case=case,
            kind="mental_health",
            details="Anxiety; prefers letters.",
            recorded_on=self.today - timedelta(days=50),
            recorded_by=self.officer,
        )
        arrangement = Arrangement.objects.create(
            case=case,
            account=case.accounts.get(),
            frequency="weekly",
            instalment=Decimal("10.00"),
            starts_on=self.today - timedelta(days=35),
            starting_balance=case.rent_arrears,
            state="broken",
            state_changed_on=self.today - timedelta(days=7),
            created_by=self.officer,
        )
        ArrangementCheck.objects.create(
            arrangement=arrangement, state="live", checked_on=self.today - timedelta(days=35)
        )
        ArrangementCheck.objects.create(
            arrangement=arrangement,
            state="broken",
            checked_on=self.today - timedelta(days=7),
            expected_paid=Decimal("575.20"),
            actual_paid=Decimal("40.00"),
        )

    # Documents --------------------------------------------------------------------------

    def render_pending(self) -> None:
        for document in Document.objects.filter(status=Document.Status.PENDING):
            document_render(document_id=document.pk)

    def served(self, case: Case, **kwargs) -> Notice:
        """A notice drafted, approved, printed and served by hand on every tenant today."""
        notice = self.notice(case, **kwargs)
        notice_mark_printed(notice=notice, actor=self.officer)
        served_at = timezone.now()
        for tenant in case.tenancy.tenants.filter(is_tenant=True):
            notice_serve(
                notice=notice,
                tenant=tenant,
                actor=self.officer,
                method="hand",
                served_at=served_at,
                server=self.officer,
                server_name="Alice Ash",
                given_to=f"{tenant.full_name}, the tenant",
                address=case.tenancy.property.one_line_address,
                evidence="Handed over at the door; photo IMG_0412.",
                today=self.today,
            )
        notice.refresh_from_db()
        return notice

    def charge(self, account: Account, amount: Decimal, on, description: str) -> None:
        Transaction.objects.create(
            account=account,
            kind="charge",
            effective_date=on,
            amount=amount,
            source="seed",
            source_reference=f"zz-{account.pk}-{on.isoformat()}",
            description=description,
        )
        Account.objects.filter(pk=account.pk).update(balance=F("balance") + amount)

    def notice(self, case: Case, **kwargs) -> Notice:
        notice = notice_draft(
            case=case,
            actor=self.officer,
            today=self.today,
            planned_service_on=self.today,
            planned_service_method=kwargs.pop("method", "hand"),
            **kwargs,
        )
        notice_submit(notice=notice, actor=self.officer)
        notice_approve(notice=notice, actor=self.manager, today=self.today)
        self.render_pending()
        return notice

    def build(self, folder: Path) -> list[Path]:
        secure = self.household(
            "secure", names=("Ms Jane Smith", "Mr John Smith"), large_print=("Mr John Smith",)
        )
        self.history(secure)
        CourtCase.objects.create(
            case=secure,
            claim_number="K12EB3456",
            court_name="County Court at Eastbrook",
            issued_on=self.today - timedelta(days=400),
            outcome="suspended",
            order_date=self.today - timedelta(days=360),
            terms_instalment=Decimal("5.00"),
            terms_frequency="weekly",
        )
        court = CourtCase.objects.get(case=secure)
        arrangement = Arrangement.objects.create(
            case=secure,
            account=secure.accounts.get(),
            kind="court_ordered",
            court_case=court,
            frequency="weekly",
            instalment=Decimal("5.00"),
            starts_on=self.today - timedelta(days=300),
            starting_balance=Decimal("900.00"),
            state="missed",
        )
        ArrangementCheck.objects.create(
            arrangement=arrangement,
            state="missed",
            checked_on=self.today,
            expected_paid=Decimal("4617.00"),
            actual_paid=Decimal("4290.00"),
        )
        CourtCase.objects.create(
            case=secure,
            court_name="County Court at Eastbrook",
            claim_number="K34EB7788",
            hearing_at=timezone.make_aware(
                datetime.combine(self.today + timedelta(days=24), time(10, 30))
            ),
        )
        self.served(secure)
        for letter in LetterKind.values:
            LetterRequest.objects.create(case=secure, letter=letter, run_date=self.today)
        for request in LetterRequest.objects.filter(run_date=self.today):
            letter_request_render(request_id=request.pk)
        print_pack_build(run_date=self.today)
        statement_produce(
            case=secure,
            actor=self.officer,
            today=self.today,
            start=self.today - timedelta(weeks=13),
            end=self.today,
        )
        ProportionalityAssessment.objects.create(
            case=secure,
            step="court",
            decision="proceed",
            assessed_on=self.today,
            assessed_by=self.manager,
            reasons="Notice expired unpaid; support refused; proportionate.",
        )
        court_pack_prepare(
            case=secure,
            actor=self.officer,
            today=self.today,
            summary="No payments of any size for twelve weeks after the notice; two arrangements "
            "broken; benefits checked and a DHP refused. Contact since the notice has been "
            "one phone call. A claim for a suspended order on terms is now proportionate.",
        )

        self.notice(self.household("flexible", fixed_term_end=self.today + timedelta(days=900)))
        self.notice(
            self.household("introductory", trial_period_end=self.today + timedelta(days=150)),
            reasons="You have not paid your rent in full for three months and have not kept to "
            "the arrangement you made with us.",
        )
        self.notice(
            self.household(
                "assured",
                landlord_registered_provider=True,
                landlord_name="Eastbrook Homes Ltd",
                weeks_unpaid=14,
            )
        )
        self.notice(
            self.household(
                "assured",
                landlord_registered_provider=False,
                landlord_name="Eastbrook Living Ltd",
                rent_period="monthly",
                period_start_day=1,
                weeks_unpaid=20,
            ),
            method="first_class_post",
        )
        self.notice(
            self.household("non_secure_tenancy", ta_duty="s193"),
            reasons="You have not paid the rent for your temporary accommodation.",
        )
        self.notice(
            self.household(
                "non_secure_licence",
                ta_duty="s193",
                rent_period="fortnightly",
                period_anchor=self.today - timedelta(days=10),
            )
        )
        self.notice(self.household("garage", weekly="12.50", weeks_unpaid=9))
        # Apps above this one add their documents (the court app's claim, eviction report,
        # review letter and money claim) without this command importing them.
        for config in apps.get_app_configs():
            if (extra := getattr(config, "document_samples", None)) is not None:
                extra(self)
        self.render_pending()

        written = []
        # Letters written as history for a later step have no file: they were not produced here.
        documents = (
            Document.objects.filter(status=Document.Status.RENDERED, case__patch=self.patch)
            .exclude(file="")
            .select_related("case")
        )
        for number, document in enumerate(documents.order_by("id"), start=1):
            draft = "-draft" if document.is_draft else ""
            name = f"{number:02d}-{document.case.tenancy.tenure}-{document.kind}{draft}.pdf"
            target = folder / name
            shutil.copyfile(Path(settings.DOCUMENTS_ROOT) / document.file, target)
            written.append(target)
        from notices.models import PrintPack

        for pack in PrintPack.objects.filter(documents__case__patch=self.patch).distinct():
            target = folder / f"99-{pack.filename}"
            shutil.copyfile(Path(settings.DOCUMENTS_ROOT) / pack.file, target)
            written.append(target)
        failed = (
            Document.objects.exclude(status=Document.Status.RENDERED).count()
            + LetterRequest.objects.filter(status="failed").count()
        )
        if failed:
            errors = list(
                LetterRequest.objects.filter(status="failed").values_list("letter", "error")
            ) + list(Document.objects.filter(status="failed").values_list("kind", "error"))
            raise CommandError(f"{failed} documents could not be produced: {errors}")
        return written

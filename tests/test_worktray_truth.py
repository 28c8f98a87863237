"""The demo seed records each household's story (the truth bench/worktray.py scores the
worktray against): the same seed gives the same stories, every story is told, and each
label says what the ledger the generator wrote really shows."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from demo.models import REAL_TRUTHS, HouseholdStory, Truth
from demo.seed import seed_council
from payments.models import Arrangement, Transaction

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = date(2026, 11, 22)
ACCOUNTS = 800
STORY_FIELDS = (
    "case_id",
    "account_id",
    "profile",
    "truth",
    "cycle",
    "pays_weekday",
    "pays_month_day",
    "cycle_anchor",
    "hb_share",
    "instalment",
    "stopped_on",
    "hb_held_from",
    "hb_held_weeks",
)


def _seed(seed: int = 1, *, reset: bool = False) -> None:
    seed_council(accounts=ACCOUNTS, seed=seed, today=TODAY, reset=reset)


def _stories() -> list[tuple]:
    return list(HouseholdStory.objects.order_by("case_id").values_list(*STORY_FIELDS))


def test_the_same_seed_records_the_same_story_for_every_household():
    _seed(7)
    first = _stories()

    _seed(7, reset=True)
    again = _stories()
    _seed(8, reset=True)

    assert again == first
    assert _stories() != first


def test_every_case_has_one_story_and_every_story_is_told():
    _seed()

    stories = HouseholdStory.objects.all()
    assert stories.count() == HouseholdStory.objects.values("case").distinct().count()
    from cases.models import Case

    assert stories.count() == Case.objects.count()
    assert set(stories.values_list("truth", flat=True)) == set(Truth.values)


def _receipts(story: HouseholdStory, since: date) -> list[Transaction]:
    return list(
        Transaction.objects.filter(
            account_id=story.account_id, effective_date__gt=since, amount__lt=0
        ).exclude(kind__in=["adjustment", "write_off"])
    )


def test_a_non_payer_has_paid_next_to_nothing_of_the_rent_charged_since_they_stopped():
    _seed()
    since = TODAY - timedelta(weeks=8)
    checked = 0
    for story in HouseholdStory.objects.filter(truth=Truth.NON_PAYER).select_related("account"):
        if story.stopped_on is not None and story.stopped_on > since:
            continue
        own = [t for t in _receipts(story, since) if t.kind == "payment"]
        charged = Transaction.objects.filter(
            account_id=story.account_id, kind="charge", effective_date__gt=since
        ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
        assert -sum(t.amount for t in own) <= charged / 4, story.case_id
        checked += 1
    assert checked >= 5


def test_a_payer_about_to_stop_pays_today_and_stops_within_eight_weeks():
    _seed()
    stopping = HouseholdStory.objects.filter(truth=Truth.ABOUT_TO_STOP)
    assert stopping.exists()
    for story in stopping:
        assert TODAY < story.stopped_on <= TODAY + timedelta(weeks=8)
        assert story.missed == 0
        assert _receipts(story, TODAY - timedelta(days=35)), story.case_id


def test_universal_credit_and_regular_payers_are_paid_on_their_own_cycle():
    _seed()
    on_cycle = defaultdict(lambda: [0, 0])
    for story in HouseholdStory.objects.filter(
        truth__in=[Truth.UC_CYCLE, Truth.PAYS], cycle__in=["monthly", "weekly"]
    ):
        for line in _receipts(story, TODAY - timedelta(days=365)):
            if line.kind == "housing_benefit":
                continue
            if story.cycle == "monthly":
                hit = line.effective_date.day == story.pays_month_day
            else:
                hit = line.effective_date.weekday() == story.pays_weekday
            on_cycle[story.truth][0] += hit
            on_cycle[story.truth][1] += 1
    for truth, (hits, lines) in on_cycle.items():
        assert lines > 50, truth
        assert hits / lines > 0.95, truth
    direct = HouseholdStory.objects.filter(truth=Truth.UC_CYCLE, uc_direct=True).first()
    assert direct is not None
    assert {t.kind for t in _receipts(direct, TODAY - timedelta(days=90))} == {"universal_credit"}


def test_housing_benefit_households_are_credited_their_share_of_each_charge():
    _seed()
    stories = HouseholdStory.objects.filter(hb_share__gt=0).select_related("account")
    held = [s for s in stories if s.truth == Truth.HB_IN_TRANSIT]
    assert held
    for story in held:
        assert TODAY < story.hb_held_from <= TODAY + timedelta(weeks=5)
        assert 2 <= story.hb_held_weeks <= 4
    for story in stories[:40]:
        charge = (
            Transaction.objects.filter(account_id=story.account_id, kind="charge")
            .order_by("effective_date")
            .last()
        )
        credit = Transaction.objects.get(
            account_id=story.account_id,
            kind="housing_benefit",
            effective_date=charge.effective_date,
        )
        share = charge.amount * story.hb_share
        assert abs(-credit.amount - share) <= Decimal("0.01"), story.case_id


def test_arrangement_stories_match_the_arrangement_records():
    _seed()
    expected = {Truth.ARRANGEMENT: "live", Truth.BROKEN_ARRANGEMENT: "broken"}
    stories = HouseholdStory.objects.filter(truth__in=list(expected))
    assert {s.truth for s in stories} == set(expected)
    for story in stories:
        arrangement = Arrangement.objects.filter(case_id=story.case_id).latest("starts_on")
        assert arrangement.instalment == story.instalment
        assert arrangement.state == expected[story.truth]


def test_a_payment_missed_and_not_made_up_is_recorded_as_owed():
    _seed()
    behind = HouseholdStory.objects.filter(missed__gt=0, truth=Truth.UC_CYCLE)
    assert behind.exists()
    for story in behind:
        # The month missed is still on the account: its balance holds at least that much.
        assert story.account.balance >= story.missed, story.case_id


def test_a_former_tenant_story_is_told_of_a_former_tenancy_account():
    _seed()
    former = HouseholdStory.objects.filter(truth=Truth.FORMER_TENANT).select_related("account")
    assert former.exists()
    assert {s.account.kind for s in former} == {"former_tenancy_arrears"}
    assert Truth.FORMER_TENANT in REAL_TRUTHS

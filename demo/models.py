"""What the demo generator knows about each household, kept for the benchmarks.

The generator writes every ledger from a story (a Universal Credit payer a month behind
by the payment cycle, a Housing Benefit credit held while a change is processed, a
non-payer, someone about to stop paying...). The service never reads this table: it has
to work the truth out from the ledger, as it would for a real council. `bench/worktray.py`
reads it to score the officers' worktray against what really happens.
"""

from django.db import models


class Truth(models.TextChoices):
    """What a household's arrears are, by its story, over the seed's next eight weeks."""

    PAYS = "pays", "Pays the rent as it falls due: any balance is the payment cycle"
    UC_CYCLE = "uc_cycle", "Universal Credit, paid monthly in arrears: the arrears are the cycle"
    HB_IN_TRANSIT = "hb_in_transit", "Housing Benefit credits held for a few weeks, then paid"
    ARRANGEMENT = "arrangement", "Keeping an arrangement: rent plus an instalment"
    BROKEN_ARRANGEMENT = "broken_arrangement", "Broke an arrangement: real arrears growing"
    OCCASIONAL = "occasional", "Pays now and then: real arrears that come and go"
    NON_PAYER = "non_payer", "Has stopped paying: real arrears"
    ABOUT_TO_STOP = "about_to_stop", "Pays today, stops within the next eight weeks"
    FORMER_TENANT = "former_tenant", "Former tenant: a debt paid off now and then, if at all"


# The truths whose arrears are real (what an officer must work), and the ones whose
# arrears are technical or nothing (what the worktray should leave out).
REAL_TRUTHS = frozenset(
    {
        Truth.BROKEN_ARRANGEMENT,
        Truth.OCCASIONAL,
        Truth.NON_PAYER,
        Truth.ABOUT_TO_STOP,
        Truth.FORMER_TENANT,
    }
)


class Cycle(models.TextChoices):
    """How often the household's money arrives (the seed's ledger follows the same)."""

    WEEKLY = "weekly", "Every week on `pays_weekday`"
    FORTNIGHTLY = "fortnightly", "Every 14 days from `cycle_anchor`"
    FOUR_WEEKLY = "four_weekly", "Every 28 days from `cycle_anchor`"
    MONTHLY = "monthly", "On day `pays_month_day` of each month"
    EVERY_30_DAYS = "every_30_days", "Every 30 days from `cycle_anchor` (leaseholders)"
    NOW_AND_THEN = "now_and_then", "No cycle: now and then"


class HouseholdStory(models.Model):
    """One case's story, as the generator wrote its main account's ledger."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("payments.Account", on_delete=models.CASCADE, related_name="+")
    seed = models.PositiveIntegerField(help_text="The seed the council was generated with.")
    profile = models.CharField(max_length=20, help_text="The generator's payer profile.")
    truth = models.CharField(max_length=20, choices=Truth.choices)
    cycle = models.CharField(max_length=16, choices=Cycle.choices)
    pays_weekday = models.PositiveSmallIntegerField(default=0)
    pays_month_day = models.PositiveSmallIntegerField(default=1)
    cycle_anchor = models.DateField(null=True, blank=True)
    monthly_charging = models.BooleanField(default=False)
    hb_share = models.DecimalField(
        max_digits=3, decimal_places=2, default=0, help_text="Share of the rent HB meets."
    )
    uc_direct = models.BooleanField(default=False, help_text="UC housing costs paid direct.")
    instalment = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    stopped_on = models.DateField(null=True, blank=True, help_text="Stopped paying (or stops).")
    hb_held_from = models.DateField(null=True, blank=True)
    hb_held_weeks = models.PositiveSmallIntegerField(default=0)
    missed = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=0,
        help_text="What a regular payer missed and had not made up by the seed's today: "
        "real arrears, whatever the cycle.",
    )

    class Meta:
        verbose_name_plural = "household stories"

    def __str__(self) -> str:
        return f"{self.case_id}: {self.truth}"

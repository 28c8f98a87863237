"""Special category data (UK GDPR Art. 9): which records on a case are, and who may
read them. Registered with cases/restrictions.py, which the case pages consult.

Health flags are special category by their kind; notes, contacts and other flags are
when someone marks them (SpecialCategoryMark). Those who need them read them: the
officers who work the case (they must act on a vulnerability, Equality Act 2010 s149)
and roles with `privacy.view_special_category` (managers, the DPO). Everyone else sees
that a restricted record exists, not what it says (data minimisation, Art. 5(1)(c)).
"""

from django.db.models import Q
from django.utils import timezone

from cases.models import Case, CaseEvent, VulnerabilityFlag
from cases.permissions import can_act_on_case
from cases.restrictions import NOTHING, Restricted
from core.models import User
from privacy.models import SpecialCategoryMark

VIEW_SPECIAL_CATEGORY = "privacy.view_special_category"

# Flags whose kind is data concerning health (Art. 4(15), Art. 9(1)).
HEALTH_FLAG_KINDS = frozenset(
    {
        VulnerabilityFlag.Kind.MENTAL_HEALTH,
        VulnerabilityFlag.Kind.PHYSICAL_HEALTH,
        VulnerabilityFlag.Kind.LEARNING_DISABILITY,
        VulnerabilityFlag.Kind.CAPACITY,
        VulnerabilityFlag.Kind.SUBSTANCE_MISUSE,
    }
)


def is_special_category_flag_kind(kind: str) -> bool:
    """A flag of this kind records health data (UK GDPR Art. 9(1), Art. 4(15))."""
    return kind in HEALTH_FLAG_KINDS


def may_read_special_category(user: User, case: Case, *, can_act: bool | None = None) -> bool:
    """Whether this user reads special category records on this case: the roles that
    need them anywhere, and whoever works the case (need to know, Art. 5(1)(c)).
    `can_act` is whether they may act on the case, when the caller knows already."""
    if user.has_perm(VIEW_SPECIAL_CATEGORY):
        return True
    if can_act is None:
        can_act = can_act_on_case(user, case, today=timezone.localdate())
    return can_act


def restricted_records(user: User, case: Case, can_act: bool) -> Restricted:
    """The case's special category records this user may not read: none for those
    who may read them (no query), else up to three queries."""
    if may_read_special_category(user, case, can_act=can_act):
        return NOTHING
    events: set[int] = set()
    contacts: set[int] = set()
    flags: set[int] = set(
        VulnerabilityFlag.objects.filter(case=case, kind__in=HEALTH_FLAG_KINDS).values_list(
            "pk", flat=True
        )
    )
    for event_id, contact_id, flag_id in SpecialCategoryMark.objects.filter(case=case).values_list(
        "event_id", "contact_id", "flag_id"
    ):
        if event_id:
            events.add(event_id)
        if contact_id:
            contacts.add(contact_id)
        if flag_id:
            flags.add(flag_id)
    if flags or contacts:
        # The timeline entries that repeat a restricted flag or contact's words.
        for pk, verb, payload in CaseEvent.objects.filter(
            Q(verb__startswith="vulnerability_") | Q(verb="contact_recorded"), case=case
        ).values_list("pk", "verb", "payload"):
            if verb == "contact_recorded":
                if (payload or {}).get("contact_id") in contacts:
                    events.add(pk)
            elif (payload or {}).get("flag_id") in flags:
                events.add(pk)
    return Restricted(
        events=frozenset(events), contacts=frozenset(contacts), flags=frozenset(flags)
    )

"""Who may do what to which case: the object-level rules behind every casework view.

Officers work their own patches and any they cover, and may read every case (a
tenant can ring anyone in the team). Managers may act anywhere. Views call
`case_for_action` so the rule is checked on the server, never just by hiding a button.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from cases.models import Case, Patch
from core.models import User


def patches_worked_by(user: User, *, today: date) -> QuerySet[Patch]:
    """The patches an officer works: their own and those they cover today (one query)."""
    covering = Q(covers__officer=user, covers__starts_on__lte=today) & (
        Q(covers__ends_on__isnull=True) | Q(covers__ends_on__gte=today)
    )
    return Patch.objects.filter(Q(officer=user) | covering).distinct().order_by("code")


def patch_ids_worked_by(user: User, *, today: date) -> set[int]:
    return set(patches_worked_by(user, today=today).values_list("pk", flat=True))


def can_view_case(user: User, case: Case) -> bool:
    return user.has_perm("cases.view_case")


def can_act_on_case(user: User, case: Case, *, today: date) -> bool:
    if user.has_perm("cases.act_on_any_case"):
        return True
    if not user.has_perm("cases.work_case"):
        return False
    if case.officer_id is not None:
        return case.officer_id == user.pk
    return case.patch_id in patch_ids_worked_by(user, today=today)


def case_for_action(user: User, case_id: int, *, today: date) -> Case:
    """The case, if this user may act on it; 404 if there is none, 403 if not theirs."""
    case = get_object_or_404(Case.objects.select_related("patch", "tenancy"), pk=case_id)
    if not can_act_on_case(user, case, today=today):
        raise PermissionDenied("This case is not in a patch you work or cover.")
    return case


def case_for_view(user: User, case_id: int) -> Case:
    case = get_object_or_404(Case.objects.select_related("patch", "tenancy"), pk=case_id)
    if not can_view_case(user, case):
        raise PermissionDenied("You cannot see cases.")
    return case

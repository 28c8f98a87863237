"""Proportionality and equality assessments, recorded by the officer before each legal step."""

from datetime import date

from django.db import transaction

from cases.models import Case, ProportionalityAssessment
from cases.services.events import case_event_record, lock_case, refuse_if, stripped
from core.models import User

# What the assessment weighs, as the court will read it (Equality Act 2010 s149; the
# Pre-Action Protocol para 1.2; Akerman-Livingstone v Aster [2015] UKSC 15).
CONSIDERATIONS = (
    "protected_characteristics",
    "vulnerabilities_considered",
    "reasonable_adjustments",
    "support_and_referrals",
    "alternatives_tried",
    "impact_on_children",
)


def assessment_record(
    *,
    case: Case,
    actor: User,
    step: str,
    decision: str,
    reasons: str,
    today: date,
    **considerations: str,
) -> ProportionalityAssessment:
    """Record an assessment for one step, dated today: a step taken later reads the
    latest for it, so a stale or negative assessment can only be renewed, never edited."""
    reasons = stripped(reasons)
    unknown = set(considerations) - set(CONSIDERATIONS)
    if unknown:
        raise TypeError(f"Not a consideration: {', '.join(sorted(unknown))}")
    refuse_if(
        step=None
        if step in ProportionalityAssessment.Step.values
        else "Choose the step this assessment is for",
        decision=None
        if decision in ProportionalityAssessment.Decision.values
        else "Choose whether the step is proportionate",
        reasons=None if reasons else "Enter the reasons for the decision",
    )
    with transaction.atomic():
        locked = lock_case(case)
        assessment = ProportionalityAssessment.objects.create(
            case=locked,
            step=step,
            decision=decision,
            assessed_on=today,
            assessed_by=actor,
            reasons=reasons,
            **{name: stripped(considerations.get(name, "")) for name in CONSIDERATIONS},
        )
        case_event_record(
            case=locked,
            actor=actor,
            verb="assessment_recorded",
            payload={
                "assessment_id": assessment.pk,
                "step": step,
                "step_label": assessment.get_step_display(),
                "decision": decision,
                "decision_label": assessment.get_decision_display(),
                "reasons": reasons,
            },
        )
    return assessment

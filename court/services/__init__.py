"""Writes for the court stage, one module per concept; views and tasks call these."""

from court.services.claims import (
    claim_issue,
    claim_prepare,
    claim_prepare_or_refuse,
    claim_withdraw,
)
from court.services.common import Refused
from court.services.evictions import eviction_record
from court.services.hearings import hearing_record
from court.services.money_claims import money_claim_issue, money_claim_judgment, money_claim_prepare
from court.services.reviews import review_decide, review_request, review_schedule
from court.services.warrants import (
    warrant_apply,
    warrant_appointment,
    warrant_issue,
    warrant_request_decide,
    warrant_request_prepare,
    warrant_request_prepare_or_refuse,
    warrant_suspension_apply,
    warrant_suspension_decide,
    warrant_withdraw,
)

__all__ = [
    "Refused",
    "claim_issue",
    "claim_prepare",
    "claim_prepare_or_refuse",
    "claim_withdraw",
    "eviction_record",
    "hearing_record",
    "money_claim_issue",
    "money_claim_judgment",
    "money_claim_prepare",
    "review_decide",
    "review_request",
    "review_schedule",
    "warrant_apply",
    "warrant_appointment",
    "warrant_issue",
    "warrant_request_decide",
    "warrant_request_prepare",
    "warrant_request_prepare_or_refuse",
    "warrant_suspension_apply",
    "warrant_suspension_decide",
    "warrant_withdraw",
]

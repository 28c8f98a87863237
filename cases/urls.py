from django.urls import path

from cases.views import actions, case, caseload
from payments import views as payment_views

urlpatterns = [
    path("", caseload.home, name="home"),
    path("caseload.csv", caseload.caseload_export, name="caseload_export"),
    path("patches/cover/", actions.patch_cover_give, name="patch_cover_give"),
    path(
        "patches/cover/<int:cover_id>/withdraw/",
        actions.patch_cover_withdraw,
        name="patch_cover_withdraw",
    ),
    # The case and its sections
    path("cases/<int:case_id>/", case.case_timeline, name="case"),
    path("cases/<int:case_id>/statement/", case.case_statement, name="case_statement"),
    path("cases/<int:case_id>/arrangement/", case.case_arrangement, name="case_arrangement"),
    path("cases/<int:case_id>/household/", case.case_household, name="case_household"),
    path("cases/<int:case_id>/notices/", case.case_notices, name="case_notices"),
    path("cases/<int:case_id>/documents/", case.case_documents, name="case_documents"),
    # Casework
    path("cases/<int:case_id>/contact/", actions.contact_record, name="contact_record"),
    path("cases/<int:case_id>/note/", actions.note_add, name="note_add"),
    path("cases/<int:case_id>/payment/", payment_views.payment_take, name="payment_take"),
    path(
        "cases/<int:case_id>/references/",
        payment_views.tenant_reference,
        name="tenant_reference_add",
    ),
    path(
        "cases/<int:case_id>/references/<int:reference_id>/remove/",
        payment_views.tenant_reference_remove_view,
        name="tenant_reference_remove",
    ),
    path(
        "cases/<int:case_id>/income-expenditure/",
        actions.income_expenditure_record,
        name="income_expenditure_record",
    ),
    path(
        "cases/<int:case_id>/arrangement/new/",
        payment_views.arrangement_create,
        name="arrangement_create",
    ),
    path(
        "cases/<int:case_id>/arrangement/<int:arrangement_id>/replace/",
        payment_views.arrangement_replace,
        name="arrangement_replace",
    ),
    path(
        "cases/<int:case_id>/arrangement/<int:arrangement_id>/cancel/",
        payment_views.arrangement_cancel,
        name="arrangement_cancel",
    ),
    path(
        "cases/<int:case_id>/direct-debits/",
        payment_views.case_direct_debits,
        name="case_direct_debits",
    ),
    path(
        "cases/<int:case_id>/direct-debits/new/",
        payment_views.direct_debit_set_up,
        name="direct_debit_set_up",
    ),
    path(
        "cases/<int:case_id>/direct-debits/<int:mandate_id>/cancel/",
        payment_views.direct_debit_cancel,
        name="direct_debit_cancel",
    ),
    path("cases/<int:case_id>/pause/", actions.case_pause, name="case_pause"),
    path("cases/<int:case_id>/pause/<int:hold_id>/end/", actions.pause_end, name="pause_end"),
    path(
        "cases/<int:case_id>/breathing-space/",
        actions.breathing_space_record,
        name="breathing_space_record",
    ),
    path(
        "cases/<int:case_id>/breathing-space/<int:hold_id>/end/",
        actions.breathing_space_end,
        name="breathing_space_end",
    ),
    path("cases/<int:case_id>/dispute/", actions.dispute_record, name="dispute_record"),
    path(
        "cases/<int:case_id>/dispute/<int:hold_id>/resolve/",
        actions.dispute_resolve,
        name="dispute_resolve",
    ),
    path(
        "cases/<int:case_id>/benefit-claim/",
        actions.benefit_claim_record,
        name="benefit_claim_record",
    ),
    path(
        "cases/<int:case_id>/benefit-claim/<int:hold_id>/evidence/",
        actions.benefit_claim_evidence,
        name="benefit_claim_evidence",
    ),
    path(
        "cases/<int:case_id>/benefit-claim/<int:hold_id>/decision/",
        actions.benefit_claim_decide,
        name="benefit_claim_decide",
    ),
    path(
        "cases/<int:case_id>/vulnerability/",
        actions.vulnerability_record,
        name="vulnerability_record",
    ),
    path(
        "cases/<int:case_id>/vulnerability/<int:flag_id>/clear/",
        actions.vulnerability_clear,
        name="vulnerability_clear",
    ),
    path("cases/<int:case_id>/referral/", actions.referral_make, name="referral_make"),
    path("cases/<int:case_id>/assessment/", actions.assessment_record, name="assessment_record"),
    path(
        "cases/<int:case_id>/referral/<int:referral_id>/outcome/",
        actions.referral_outcome,
        name="referral_outcome",
    ),
    path("cases/<int:case_id>/reassign/", actions.case_reassign, name="case_reassign"),
]

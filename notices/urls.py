"""Notices, letters, statements and court packs for a case; managers' approvals and print packs.

The case's own Notices and Documents sections (/cases/<id>/notices/ and
/cases/<id>/documents/) are the case page's; these pages sit beneath them.
"""

from django.urls import path
from django.views.generic import RedirectView

from notices import views

app_name = "notices"

urlpatterns = [
    path("cases/<int:case_id>/notices/new/", views.notice_new, name="notice_new"),
    path("cases/<int:case_id>/notices/<int:notice_id>/", views.notice_detail, name="notice_detail"),
    path(
        "cases/<int:case_id>/notices/<int:notice_id>/submit/",
        views.notice_submit_view,
        name="notice_submit",
    ),
    path(
        "cases/<int:case_id>/notices/<int:notice_id>/approve/",
        views.notice_approve_view,
        name="notice_approve",
    ),
    path(
        "cases/<int:case_id>/notices/<int:notice_id>/print/",
        views.notice_print_view,
        name="notice_print",
    ),
    path(
        "cases/<int:case_id>/notices/<int:notice_id>/withdraw/",
        views.notice_withdraw_view,
        name="notice_withdraw",
    ),
    path(
        "cases/<int:case_id>/notices/<int:notice_id>/serve/<int:tenant_id>/",
        views.notice_serve_view,
        name="notice_serve",
    ),
    path("cases/<int:case_id>/documents/letter/", views.letter_new, name="letter_new"),
    path("cases/<int:case_id>/documents/message/", views.message_new, name="message_new"),
    path("cases/<int:case_id>/documents/opt-out/", views.opt_out_new, name="opt_out_new"),
    path(
        "cases/<int:case_id>/documents/opt-out/<int:opt_out_id>/end/",
        views.opt_out_end,
        name="opt_out_end",
    ),
    path("notify/callback/", views.notify_callback, name="notify_callback"),
    path("cases/<int:case_id>/documents/statement/", views.statement_new, name="statement_new"),
    path("cases/<int:case_id>/documents/court-pack/", views.court_pack_new, name="court_pack_new"),
    path(
        "cases/<int:case_id>/documents/court-pack/<int:pack_id>/",
        views.court_pack_detail,
        name="court_pack_detail",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/download/",
        views.document_download,
        name="document_download",
    ),
    # Approvals moved to the court app, which shows eviction reports beside these.
    path(
        "notices/approvals/",
        RedirectView.as_view(pattern_name="court:approvals", permanent=True),
        name="approvals",
    ),
    path("notices/print-packs/", views.print_packs, name="print_packs"),
    path(
        "notices/print-packs/<int:pack_id>/download/",
        views.print_pack_download,
        name="print_pack_download",
    ),
]

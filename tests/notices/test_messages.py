"""Texts and emails through GOV.UK Notify, against a local server that speaks its API.

The server checks each request's JWT with the key's secret (as Notify does), keeps what
it was sent and answers status reads, so the official client is exercised end to end
with no internet.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.urls import reverse
from notifications_python_client.authentication import decode_jwt_token

from cases.models import CaseEvent, Hold
from notices.messaging.services import (
    message_request,
    messages_send,
    messages_status_refresh,
    opt_out_record,
)
from notices.models import Message, MessageOptOut, NotifyTemplate
from tests.notices.conftest import TODAY, household

pytestmark = pytest.mark.django_db

SERVICE_ID = "6c1a4a5e-0d57-4c52-9a8a-2f1f4b0c9e11"
SECRET = "0f3b8a2c-7a4e-4c3b-9b1e-5d6c7e8f9a0b"
API_KEY = f"arrears_test-{SERVICE_ID}-{SECRET}"
SMS_TEMPLATE = "4f6b3f3c-1111-4a5a-9e3b-0c2d9d6a7e01"
REFUSED_NUMBER = "07700900999"


@dataclass
class FakeNotify:
    """What the local Notify was sent, and the statuses it will report."""

    url: str = ""
    sent: list[dict] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    unauthorised: int = 0


def _handler(state: FakeNotify):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep the test output clean
            pass

        def _authorised(self) -> bool:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                decode_jwt_token(token, SECRET)
            except Exception:
                state.unauthorised += 1
                self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
                return False
            return True

        def _answer(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if not self._authorised():
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if body.get("phone_number") == REFUSED_NUMBER:
                self._answer(
                    400,
                    {
                        "status_code": 400,
                        "errors": [
                            {"error": "BadRequestError", "message": "Not a UK mobile number"}
                        ],
                    },
                )
                return
            notify_id = str(uuid.uuid4())
            state.sent.append({"path": self.path, "id": notify_id, **body})
            state.statuses[notify_id] = "created"
            self._answer(
                201,
                {
                    "id": notify_id,
                    "reference": body.get("reference"),
                    "content": {"body": "…", "from_number": "EASTBROOK"},
                    "template": {"id": body.get("template_id", ""), "version": 1, "uri": ""},
                    "uri": f"{state.url}/v2/notifications/{notify_id}",
                },
            )

        def do_GET(self) -> None:
            if not self._authorised():
                return
            notify_id = self.path.rsplit("/", 1)[-1]
            if notify_id not in state.statuses:
                self._answer(404, {"errors": [{"error": "NoResultFound", "message": "No result"}]})
                return
            self._answer(200, {"id": notify_id, "status": state.statuses[notify_id]})

    return Handler


@pytest.fixture
def notify(settings):
    """A local Notify, and the service pointed at it with a key it accepts."""
    state = FakeNotify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = state.url
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def on_today():
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def templates():
    return NotifyTemplate.objects.create(
        purpose="arrears_reminder", channel="sms", notify_template_id=SMS_TEMPLATE
    )


def texted_case(team, *, mobile: str = "07700900123"):
    case = household(patch=team.patch_a)
    case.tenancy.tenants.update(mobile=mobile, email="jane@example.org")
    return case


def remind(case, team) -> list[Message]:
    return message_request(
        case=case, actor=team.alice, purpose="arrears_reminder", channel="sms", today=TODAY
    )


def test_a_text_goes_to_notify_with_the_tenants_number_template_and_details(
    team, notify, templates, django_capture_on_commit_callbacks
):
    case = texted_case(team)
    with django_capture_on_commit_callbacks(execute=True):
        [message] = remind(case, team)

    message.refresh_from_db()
    [sent] = notify.sent
    assert sent["path"] == "/v2/notifications/sms"
    assert (sent["phone_number"], sent["template_id"]) == ("07700900123", SMS_TEMPLATE)
    assert sent["personalisation"]["name"] == "Ms Jane Smith"
    assert sent["personalisation"]["balance"] == "£1,052.00"
    assert sent["reference"] == f"arrears-message-{message.pk}"
    assert (message.status, str(message.notify_id)) == ("created", sent["id"])
    assert notify.unauthorised == 0
    assert CaseEvent.objects.filter(case=case, verb="message_queued").exists()


def test_a_message_is_sent_once_however_often_its_task_runs(team, notify, templates):
    case = texted_case(team)
    [message] = remind(case, team)

    messages_send(message_ids=[message.pk])
    messages_send(message_ids=[message.pk])

    assert len(notify.sent) == 1


def test_the_delivery_status_read_back_from_notify_reaches_the_timeline(team, notify, templates):
    case = texted_case(team)
    [message] = remind(case, team)
    messages_send(message_ids=[message.pk])
    notify.statuses[notify.sent[0]["id"]] = "delivered"

    assert messages_status_refresh() == {"changed": 1, "resent": 0}
    assert messages_status_refresh() == {"changed": 0, "resent": 0}

    message.refresh_from_db()
    assert message.status == "delivered"
    delivered = CaseEvent.objects.filter(case=case, verb="message_delivered")
    assert delivered.count() == 1


def test_a_delivery_receipt_from_notify_needs_the_callback_token(
    client, team, notify, templates, settings
):
    settings.NOTIFY_CALLBACK_TOKEN = "a-long-shared-secret"
    case = texted_case(team)
    [message] = remind(case, team)
    messages_send(message_ids=[message.pk])
    message.refresh_from_db()
    receipt = json.dumps({"id": str(message.notify_id), "status": "permanent-failure"})
    address = reverse("notices:notify_callback")

    forged = client.post(address, receipt, content_type="application/json")
    taken = client.post(
        address,
        receipt,
        content_type="application/json",
        headers={"Authorization": "Bearer a-long-shared-secret"},
    )

    assert (forged.status_code, taken.status_code) == (401, 204)
    message.refresh_from_db()
    assert message.status == "permanent_failure"
    event = CaseEvent.objects.get(case=case, verb="message_failed")
    assert "wrong" in event.payload["status_label"]


def test_with_no_notify_key_a_message_is_kept_as_not_sent_and_the_officer_is_told(
    client, team, templates, settings
):
    settings.NOTIFY_API_KEY = ""
    case = texted_case(team)
    client.force_login(team.alice)

    page = client.post(
        reverse("notices:message_new", args=[case.pk]),
        {"purpose": "arrears_reminder", "channel": "sms"},
        follow=True,
    ).content.decode()

    message = Message.objects.get(case=case)
    assert message.status == "not_sent" and "NOTIFY_API_KEY" in message.reason
    assert "Not sent to Ms Jane Smith" in page and "GOV.UK Notify is not set up" in page
    assert CaseEvent.objects.filter(case=case, verb="message_not_sent").exists()


def test_no_text_to_a_tenant_who_has_opted_out_of_texts(team, notify, templates):
    case = texted_case(team)
    tenant = case.tenancy.tenants.get()
    opt_out_record(
        case=case, tenant=tenant, channel="sms", actor=team.alice, today=TODAY, reason="Asked."
    )

    [message] = remind(case, team)
    messages_send(message_ids=[message.pk])

    assert message.status == "not_sent" and "asked not to be sent a text" in message.reason
    assert notify.sent == []
    assert MessageOptOut.objects.get().recorded_by == team.alice


def test_no_arrears_reminder_during_a_breathing_space_but_an_appointment_reminder_goes(
    team, notify
):
    NotifyTemplate.objects.create(
        purpose="arrears_reminder", channel="sms", notify_template_id=SMS_TEMPLATE
    )
    NotifyTemplate.objects.create(
        purpose="appointment", channel="sms", notify_template_id=uuid.uuid4()
    )
    case = texted_case(team)
    Hold.objects.create(
        case=case,
        kind=Hold.Kind.BREATHING_SPACE,
        reason="standard",
        starts_on=date(2026, 11, 10),
        until=date(2027, 1, 9),
    )

    [reminder] = remind(case, team)
    [appointment] = message_request(
        case=case, actor=team.alice, purpose="appointment", channel="sms", today=TODAY
    )

    assert reminder.status == "not_sent" and "Breathing Space" in reminder.reason
    assert appointment.status == "queued"


def test_a_number_notify_refuses_is_recorded_as_refused_and_not_tried_again(
    team, notify, templates
):
    case = texted_case(team, mobile=REFUSED_NUMBER)
    [message] = remind(case, team)

    assert messages_send(message_ids=[message.pk])["rejected"] == 1
    message.refresh_from_db()
    assert (message.status, message.reason) == ("rejected", "Not a UK mobile number")
    assert CaseEvent.objects.filter(case=case, verb="message_failed").exists()


def test_while_notify_is_unreachable_a_message_waits_and_is_sent_later(
    team, notify, templates, settings
):
    case = texted_case(team)
    [message] = remind(case, team)
    working = settings.NOTIFY_BASE_URL
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:9"  # the discard port: nothing listens

    assert messages_send(message_ids=[message.pk])["waiting"] == 1
    message.refresh_from_db()
    assert message.status == "queued"

    settings.NOTIFY_BASE_URL = working
    with time_machine.travel(datetime(2026, 11, 23, 10, 30, tzinfo=UTC), tick=False):
        assert messages_status_refresh()["resent"] == 1
    message.refresh_from_db()
    assert message.status == "created" and len(notify.sent) == 1


def test_a_tenant_with_no_mobile_number_is_not_texted_and_the_reason_says_so(team, templates):
    case = texted_case(team, mobile="")

    [message] = remind(case, team)

    assert message.status == "not_sent"
    assert message.reason == "No mobile number is recorded for Ms Jane Smith."


def test_an_officer_of_another_patch_gets_403_on_the_message_pages(client, team, templates):
    case = texted_case(team)
    client.force_login(team.bob)

    for address in (
        reverse("notices:message_new", args=[case.pk]),
        reverse("notices:opt_out_new", args=[case.pk]),
    ):
        assert client.get(address).status_code == 403
        assert (
            client.post(address, {"purpose": "arrears_reminder", "channel": "sms"}).status_code
            == 403
        )
    assert not Message.objects.exists()


def test_the_documents_tab_lists_the_messages_and_opt_outs(client, team, templates, settings):
    settings.NOTIFY_API_KEY = ""
    case = texted_case(team)
    remind(case, team)
    opt_out_record(
        case=case,
        tenant=case.tenancy.tenants.get(),
        channel="email",
        actor=team.alice,
        today=TODAY,
    )
    client.force_login(team.alice)

    page = client.get(reverse("case_documents", args=[case.pk])).content.decode()

    assert "Text message: arrears reminder" in page
    assert "Ms Jane Smith: no email, since 23 Nov 2026" in page


def _recommend(case, *, action="early_contact", since=TODAY, guard=""):
    from arrears.models import Recommendation

    return Recommendation.objects.create(
        case=case,
        run_date=TODAY,
        policy_version=1,
        action=action,
        stage="early_contact",
        since=since,
        guard=guard,
        fingerprint="x",
    )


def _policy_sends(team, choice: str) -> None:
    import copy

    from arrears.services import policy_current, policy_version_create

    document = copy.deepcopy(policy_current().document)
    document["messages"] = {"early_contact": choice}
    policy_version_create(document=document, note="Texts before letter 1", actor=team.ada)


def test_the_policy_can_switch_on_a_text_when_early_contact_is_first_recommended(team):
    from notices.messaging.services import policy_messages_send

    NotifyTemplate.objects.create(
        purpose="early_reminder", channel="sms", notify_template_id=uuid.uuid4()
    )
    first_tonight = texted_case(team)
    _recommend(first_tonight)
    for_weeks = texted_case(team)
    _recommend(for_weeks, since=date(2026, 11, 2))
    held = texted_case(team)
    _recommend(held, guard="dispute")

    assert policy_messages_send(run_date=TODAY) == 0  # off by default
    _policy_sends(team, "sms")
    assert policy_messages_send(run_date=TODAY) == 1
    assert policy_messages_send(run_date=TODAY) == 0  # a re-run sends nothing twice

    message = Message.objects.get()
    assert (message.case, message.purpose, message.channel) == (
        first_tonight,
        "early_reminder",
        "sms",
    )
    assert message.requested_by is None


def test_with_notify_letters_on_each_copy_of_the_nights_letters_is_posted_by_notify(
    team, notify, settings
):
    import base64
    import io

    from pypdf import PdfReader

    from arrears.models import LetterKind, LetterRequest
    from notices.models import Document, PrintPack
    from notices.tasks import render_letter_requests

    settings.NOTIFY_LETTERS = True
    case = household(patch=team.patch_a, names=("Ms Jane Smith", "Mr John Smith"))
    LetterRequest.objects.create(case=case, letter=LetterKind.ARREARS_LETTER_1, run_date=TODAY)

    render_letter_requests(TODAY.isoformat())
    render_letter_requests(TODAY.isoformat())  # a re-run posts nothing twice

    document = Document.objects.get()
    letters = [sent for sent in notify.sent if sent["path"] == "/v2/notifications/letter"]
    assert len(letters) == 2
    pages = [len(PdfReader(io.BytesIO(base64.b64decode(s["content"]))).pages) for s in letters]
    assert pages == document.copy_page_counts
    first = " ".join(
        PdfReader(io.BytesIO(base64.b64decode(letters[0]["content"])))
        .pages[0]
        .extract_text()
        .split()
    )
    assert "Jane Smith" in first
    posted = Message.objects.filter(document=document).order_by("id")
    assert [m.addressee for m in posted] == ["Ms Jane Smith", "Mr John Smith"]
    assert {m.status for m in posted} == {"created"}
    assert not PrintPack.objects.filter(letter_count__gt=0).exists()

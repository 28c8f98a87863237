"""GOV.UK Notify, through its official client. Nothing else here talks to Notify."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from pypdf import PdfReader, PdfWriter

from notices.models import Message, MessageChannel

# Notify's statuses (https://docs.notifications.service.gov.uk/python.html#status)
# as ours. Letters have their own; a letter Notify has accepted is on its way.
NOTIFY_STATUSES: dict[str, str] = {
    "created": Message.Status.CREATED,
    "sending": Message.Status.SENDING,
    "pending": Message.Status.SENDING,
    "sent": Message.Status.SENDING,  # an international text: no receipt will follow
    "delivered": Message.Status.DELIVERED,
    "permanent-failure": Message.Status.PERMANENT_FAILURE,
    "temporary-failure": Message.Status.TEMPORARY_FAILURE,
    "technical-failure": Message.Status.TECHNICAL_FAILURE,
    "accepted": Message.Status.SENDING,
    "received": Message.Status.DELIVERED,
    "pending-virus-check": Message.Status.SENDING,
    "virus-scan-failed": Message.Status.TECHNICAL_FAILURE,
    "validation-failed": Message.Status.REJECTED,
    "cancelled": Message.Status.REJECTED,
}


class NotifyUnavailable(Exception):
    """Notify could not be reached or failed on its side: try again later."""


class NotifyRefused(Exception):
    """Notify refused the message (a 400 or 403): trying again will not help."""


@dataclass(frozen=True)
class Sent:
    notify_id: str
    status: str


def notify_configured() -> bool:
    return bool(settings.NOTIFY_API_KEY)


def _client() -> NotificationsAPIClient:
    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=15
    )


def _call(method, *args, **kwargs) -> dict:
    try:
        return method(*args, **kwargs)
    except HTTPError as error:
        if error.status_code in (400, 403):
            raise NotifyRefused(_messages(error)) from error
        raise NotifyUnavailable(_messages(error)) from error
    except OSError as error:  # connection refused, timeouts (requests' are OSErrors)
        raise NotifyUnavailable(str(error)) from error


def _messages(error: HTTPError) -> str:
    found = error.message
    if isinstance(found, list):
        return "; ".join(str(m.get("message", m)) for m in found if m)[:300]
    return str(found)[:300]


def _copy_pdf(message: Message) -> io.BytesIO:
    """One tenant's copy of a rendered letter: its own pages of the document's PDF."""
    from notices.documents import documents_root

    reader = PdfReader(documents_root() / message.document.file)
    first = int(message.personalisation.get("first_page", 0))
    pages = int(message.personalisation.get("pages", len(reader.pages)))
    writer = PdfWriter()
    for page in reader.pages[first : first + pages]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    out.seek(0)
    return out


def send(message: Message) -> Sent:
    """Send one message; its reference is ours, so Notify's records can be matched."""
    client = _client()
    if message.document_id:
        answer = _call(
            client.send_precompiled_letter_notification,
            reference=message.reference,
            pdf_file=_copy_pdf(message),
        )
        return Sent(notify_id=answer["id"], status=Message.Status.CREATED)
    template_id = str(message.template.notify_template_id)
    personalisation = message.personalisation
    if message.channel == MessageChannel.SMS:
        answer = _call(
            client.send_sms_notification,
            phone_number=message.recipient,
            template_id=template_id,
            personalisation=personalisation,
            reference=message.reference,
        )
    elif message.channel == MessageChannel.EMAIL:
        answer = _call(
            client.send_email_notification,
            email_address=message.recipient,
            template_id=template_id,
            personalisation=personalisation,
            reference=message.reference,
        )
    else:
        answer = _call(
            client.send_letter_notification,
            template_id=template_id,
            personalisation=personalisation,
            reference=message.reference,
        )
    return Sent(notify_id=answer["id"], status=Message.Status.CREATED)


def status_of(notify_id: str) -> str:
    """Our status for a message Notify has, as Notify reports it now."""
    answer = _call(_client().get_notification_by_id, notify_id)
    return NOTIFY_STATUSES.get(answer.get("status", ""), Message.Status.SENDING)

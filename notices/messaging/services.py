"""Writes for messages: ask for them, send them through Notify, record what became of
them, and record a person's opt-outs. Each change to a case is on its timeline."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case, Hold, Tenant
from cases.services.events import case_event_record, lock_case, stripped
from core.models import User
from core.money import format_money
from notices.checks import Refusal
from notices.messaging import gateway, rules
from notices.models import (
    Message,
    MessageChannel,
    MessageOptOut,
    MessagePurpose,
    NotifyTemplate,
)

logger = logging.getLogger(__name__)

# A message still queued this long after it was asked for lost its task (the broker
# was down, a worker died): the status refresh sends it again.
STRANDED_AFTER = timedelta(minutes=10)


def _address(tenant: Tenant, channel: str) -> str:
    if channel == MessageChannel.SMS:
        return tenant.mobile.strip()
    if channel == MessageChannel.EMAIL:
        return tenant.email.strip()
    return tenant.tenancy.property.postcode.strip()


def _personalisation(case: Case, tenant: Tenant, channel: str) -> dict[str, str]:
    """What every template may use: ((name)), ((reference)), ((balance)), ((phone)); a
    letter also needs its address lines (Notify's address_line_1 to _7)."""
    rent = next((a for a in case.accounts.all() if a.rent_lawfully_due), None)
    fields = {
        "name": tenant.full_name,
        "reference": rent.reference if rent else case.reference,
        "balance": format_money(rent.balance if rent else 0),
        "phone": settings.COUNCIL_PHONE,
    }
    if channel == MessageChannel.LETTER:
        lines = [tenant.full_name, *case.tenancy.property.address_lines][:7]
        fields |= {f"address_line_{n}": line for n, line in enumerate(lines, start=1)}
    return fields


def _refusal(
    *,
    tenant: Tenant,
    channel: str,
    purpose: str,
    template: NotifyTemplate | None,
    breathing_space: Hold | None,
    opted_out: set[str],
    today: date,
) -> Refusal | None:
    name = tenant.full_name
    return (
        rules.moved_out_refusal(moved_out_on=tenant.moved_out_on, today=today, name=name)
        or rules.breathing_space_message_refusal(
            purpose=purpose,
            in_breathing_space=breathing_space is not None,
            breathing_space_until=breathing_space.until if breathing_space else None,
        )
        or rules.opted_out_refusal(channel=channel, opted_out=opted_out, name=name)
        or rules.no_address_refusal(channel=channel, address=_address(tenant, channel), name=name)
        or (
            Refusal(
                "no_template",
                f"No Notify template is set up for {MessagePurpose(purpose).label.lower()} "
                f"by {MessageChannel(channel).label.lower()}: an administrator adds it.",
            )
            if template is None
            else None
        )
        or (
            None
            if gateway.notify_configured()
            else Refusal(
                "not_configured",
                "GOV.UK Notify is not set up for this service (no NOTIFY_API_KEY), so "
                "nothing was sent.",
            )
        )
    )


def message_request(
    *,
    case: Case,
    actor: User | None,
    purpose: str,
    channel: str,
    today: date,
    tenants: list[Tenant] | None = None,
) -> list[Message]:
    """Ask for a message to each tenant (or to those named). One that may not go (an
    opt-out, a Breathing Space, no number, Notify not set up) is kept as not sent with
    the reason, so the officer is told and the timeline shows it was considered."""
    if purpose not in MessagePurpose.values:
        raise ValidationError({"purpose": "Choose what the message is for"})
    if channel not in MessageChannel.values:
        raise ValidationError({"channel": "Choose how to send it"})
    with transaction.atomic():
        locked = lock_case(case)
        recipients = (
            tenants
            if tenants is not None
            else list(
                Tenant.objects.filter(tenancy=locked.tenancy, is_tenant=True).select_related(
                    "tenancy__property"
                )
            )
        )
        if not recipients:
            raise ValidationError("No tenant on this tenancy to send it to.")
        template = NotifyTemplate.objects.filter(
            purpose=purpose, channel=channel, active=True
        ).first()
        breathing_space = next(
            (
                h
                for h in Hold.objects.filter(case=locked, kind=Hold.Kind.BREATHING_SPACE)
                if h.is_active_on(today)
            ),
            None,
        )
        opt_outs: dict[int, set[str]] = {}
        for opt_out in MessageOptOut.objects.filter(
            tenant__in=recipients, withdrawn_on__isnull=True
        ):
            opt_outs.setdefault(opt_out.tenant_id, set()).add(opt_out.channel)
        made = []
        for tenant in recipients:
            refusal = _refusal(
                tenant=tenant,
                channel=channel,
                purpose=purpose,
                template=template,
                breathing_space=breathing_space,
                opted_out=opt_outs.get(tenant.pk, set()),
                today=today,
            )
            message = Message.objects.create(
                case=locked,
                tenant=tenant,
                channel=channel,
                purpose=purpose,
                template=template,
                addressee=tenant.full_name,
                recipient=_address(tenant, channel) if channel != MessageChannel.LETTER else "",
                personalisation=_personalisation(locked, tenant, channel),
                status=Message.Status.NOT_SENT if refusal else Message.Status.QUEUED,
                reason=refusal.message if refusal else "",
                requested_by=actor,
            )
            case_event_record(
                case=locked,
                actor=actor,
                verb="message_not_sent" if refusal else "message_queued",
                payload=_event_payload(message),
            )
            made.append(message)
        queued = [m.pk for m in made if m.status == Message.Status.QUEUED]
        if queued:
            from notices.tasks import send_messages

            transaction.on_commit(lambda: send_messages.delay(queued))
    return made


def _event_payload(message: Message) -> dict[str, object]:
    return {
        "message_id": message.pk,
        "channel_label": message.get_channel_display(),
        "purpose_label": message.get_purpose_display(),
        "tenant": message.addressee,
        "status": message.status,
        "status_label": message.get_status_display(),
        "reason": message.reason,
    }


def messages_send(*, message_ids: list[int]) -> dict[str, int]:
    """Send the queued messages among these through Notify, each at most once: a
    message is taken under a row lock and sent only while it is still queued."""
    counts = {"sent": 0, "rejected": 0, "waiting": 0}
    for message_id in message_ids:
        with transaction.atomic():
            message = (
                Message.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("template", "tenant", "document")
                .filter(pk=message_id, status=Message.Status.QUEUED)
                .first()
            )
            if message is None:
                continue
            try:
                sent = gateway.send(message)
            except gateway.NotifyRefused as refused:
                message.status = Message.Status.REJECTED
                message.reason = str(refused)
                message.status_at = timezone.now()
                message.save(update_fields=["status", "reason", "status_at"])
                case_event_record(
                    case=message.case,
                    actor=None,
                    verb="message_failed",
                    payload=_event_payload(message),
                    idempotency_key=f"message-{message.pk}-{message.status}",
                )
                counts["rejected"] += 1
                continue
            except gateway.NotifyUnavailable as unavailable:
                # Left queued: the status refresh sends it again later.
                logger.warning("Notify unavailable for message %s: %s", message.pk, unavailable)
                counts["waiting"] += 1
                continue
            message.notify_id = sent.notify_id
            message.status = sent.status
            message.sent_at = message.status_at = timezone.now()
            message.save(update_fields=["notify_id", "status", "sent_at", "status_at"])
            counts["sent"] += 1
    return counts


def message_status_record(*, message: Message, status: str) -> bool:
    """Record Notify's latest word on a message; a final one goes on the timeline once.
    Returns whether anything changed."""
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.status == status or locked.status in Message.FINAL:
            return False
        locked.status = status
        locked.status_at = timezone.now()
        locked.save(update_fields=["status", "status_at"])
        if status in Message.FINAL:
            case_event_record(
                case=locked.case,
                actor=None,
                verb="message_delivered"
                if status == Message.Status.DELIVERED
                else "message_failed",
                payload=_event_payload(locked),
                idempotency_key=f"message-{locked.pk}-{status}",
            )
    return True


def messages_status_refresh(*, limit: int = 500) -> dict[str, int]:
    """Ask Notify about the messages still on their way, and send again the ones whose
    task was lost. Delivery receipts (notices.views.notify_callback) usually get there
    first; this is for a council that has not set up the callback, and for receipts lost."""
    counts = {"changed": 0, "resent": 0}
    if not gateway.notify_configured():
        return counts
    stranded = list(
        Message.objects.filter(
            status=Message.Status.QUEUED, requested_at__lt=timezone.now() - STRANDED_AFTER
        ).values_list("pk", flat=True)[:limit]
    )
    if stranded:
        counts["resent"] = messages_send(message_ids=stranded)["sent"]
    waiting = Message.objects.filter(
        status__in=[Message.Status.CREATED, Message.Status.SENDING], notify_id__isnull=False
    ).order_by("sent_at")[:limit]
    for message in waiting:
        try:
            status = gateway.status_of(str(message.notify_id))
        except (gateway.NotifyUnavailable, gateway.NotifyRefused) as error:
            logger.warning("Notify status of message %s not read: %s", message.pk, error)
            break
        counts["changed"] += message_status_record(message=message, status=status)
    return counts


def opt_out_record(
    *, case: Case, tenant: Tenant, channel: str, actor: User, today: date, reason: str = ""
) -> MessageOptOut:
    """Record that a person does not want messages through a channel."""
    if channel not in MessageChannel.values:
        raise ValidationError({"channel": "Choose the channel"})
    if tenant.tenancy_id != case.tenancy_id:
        raise ValidationError({"tenant": "Choose someone in this household"})
    with transaction.atomic():
        case = lock_case(case)
        if MessageOptOut.objects.filter(
            tenant=tenant, channel=channel, withdrawn_on__isnull=True
        ).exists():
            raise ValidationError(
                {"channel": f"{tenant.full_name} has already opted out of this channel"}
            )
        opt_out = MessageOptOut.objects.create(
            tenant=tenant,
            channel=channel,
            recorded_on=today,
            recorded_by=actor,
            reason=stripped(reason),
        )
        case_event_record(
            case=case,
            actor=actor,
            verb="opt_out_recorded",
            payload={
                "tenant": tenant.full_name,
                "channel_label": opt_out.get_channel_display(),
                "reason": opt_out.reason,
            },
        )
    return opt_out


def opt_out_withdraw(
    *, case: Case, opt_out: MessageOptOut, actor: User, today: date
) -> MessageOptOut:
    with transaction.atomic():
        case = lock_case(case)
        locked = MessageOptOut.objects.select_for_update().get(pk=opt_out.pk)
        if locked.withdrawn_on is not None:
            return locked
        locked.withdrawn_on = today
        locked.save(update_fields=["withdrawn_on"])
        case_event_record(
            case=case,
            actor=actor,
            verb="opt_out_withdrawn",
            payload={
                "tenant": locked.tenant.full_name,
                "channel_label": locked.get_channel_display(),
            },
        )
    return locked


def policy_messages_send(*, run_date: date) -> int:
    """The messages the policy in force sends by itself after a night's run: a reminder
    to each case the run first recommended early contact for tonight, with nothing
    holding it back. Sent once: a case already reminded since the run is left alone."""
    from arrears.models import Recommendation
    from arrears.selectors import policy_in_force

    choice = policy_in_force().early_contact_message
    if choice == "off":
        return 0
    case_ids = list(
        Recommendation.objects.filter(
            run_date=run_date, since=run_date, action="early_contact", guard=""
        )
        .exclude(
            case__messages__purpose=MessagePurpose.EARLY_REMINDER,
            case__messages__requested_at__date__gte=run_date,
        )
        .values_list("case_id", flat=True)
    )
    made = 0
    for case in Case.objects.filter(pk__in=case_ids).select_related("tenancy__property"):
        tenants = list(
            Tenant.objects.filter(tenancy=case.tenancy, is_tenant=True).select_related(
                "tenancy__property"
            )
        )
        by_channel: dict[str, list[Tenant]] = {}
        for tenant in tenants:
            channel = choice
            if choice == "preferred":
                email = tenant.preferred_contact == Tenant.PreferredContact.EMAIL
                channel = MessageChannel.EMAIL if email else MessageChannel.SMS
            by_channel.setdefault(channel, []).append(tenant)
        for channel, group in by_channel.items():
            made += len(
                message_request(
                    case=case,
                    actor=None,
                    purpose=MessagePurpose.EARLY_REMINDER,
                    channel=channel,
                    today=run_date,
                    tenants=group,
                )
            )
    return made


def letters_send_through_notify(*, run_date: date) -> int:
    """The night's rendered letters posted by Notify's letter service instead of the
    print room: one precompiled letter per tenant's copy, each sent once. Returns how
    many were asked for; the print pack then holds only what was not."""
    from notices.models import Document
    from notices.print_packs import envelopes

    documents = list(
        Document.objects.filter(
            letter_request__run_date=run_date,
            status=Document.Status.RENDERED,
            print_pack__isnull=True,
            messages__isnull=True,
        ).select_related("case")
    )
    made: list[int] = []
    with transaction.atomic():
        for envelope in envelopes(documents):
            message = Message.objects.create(
                case=envelope.document.case,
                channel=MessageChannel.LETTER,
                purpose=MessagePurpose.LETTER,
                document=envelope.document,
                addressee=envelope.name,
                recipient=envelope.postcode,
                personalisation={"first_page": envelope.first_page, "pages": envelope.pages},
            )
            case_event_record(
                case=envelope.document.case,
                actor=None,
                verb="message_queued",
                payload=_event_payload(message) | {"purpose_label": envelope.document.title},
            )
            made.append(message.pk)
    if made:
        messages_send(message_ids=made)
    return len(made)

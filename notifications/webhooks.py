"""What a transactional mail service reports after sending (django-anymail).

anymail's tracking webhooks (under /anymail/, see config/urls.py) turn each
provider's callback into one `anymail.signals.tracking` event; this receiver
records it on the outbox row and flags the address on a bounce or complaint.
"""

from anymail.signals import AnymailTrackingEvent, EventType

from notifications.models import DeliveryReport
from notifications.services import record_delivery_report

DETAIL_LENGTH = 2000
REPORT_OF_EVENT: dict[str, str] = {
    EventType.DELIVERED: DeliveryReport.DELIVERED,
    EventType.DEFERRED: DeliveryReport.DEFERRED,
    EventType.BOUNCED: DeliveryReport.BOUNCED,
    EventType.REJECTED: DeliveryReport.REJECTED,
    EventType.FAILED: DeliveryReport.REJECTED,
    EventType.COMPLAINED: DeliveryReport.COMPLAINED,
    EventType.UNSUBSCRIBED: DeliveryReport.UNSUBSCRIBED,
}


def on_tracking_event(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs):
    """anymail's tracking signal: opens, clicks and the like are not recorded."""
    report = REPORT_OF_EVENT.get(event.event_type)
    if report is None or not event.message_id:
        return
    provider_id = str(event.message_id)
    header_id = provider_id if provider_id.startswith("<") else f"<{provider_id}>"
    detail = event.description or event.mta_response or ""
    record_delivery_report(
        report=report,
        provider_message_id=provider_id,
        message_id=header_id,
        recipient=event.recipient or "",
        detail=f"{esp_name}: {detail}"[:DETAIL_LENGTH],
        reported_at=event.timestamp,
    )

import pytest

from notifications import sender
from tests.notifications.smtp import SmtpSink


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sender.close_connection()
    sink.stop()


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Django sends through real SMTP to the sink; retries come quickly."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_TIMEOUT = 5
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0.2
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 1
    return settings


@pytest.fixture
def make_email(db):
    """Queue one outbox row (its task is not run: the test's transaction never
    commits), with the sample data of the "opportunity published" email."""
    from notifications.previews import opportunity_sample  # noqa: PLC0415
    from notifications.services import Recipient, queue_email  # noqa: PLC0415

    def make(*, key="event:1", to="pi@university.example.org", language="en"):
        return queue_email(
            key=key,
            recipient=Recipient(email=to, language=language),
            template="opportunity_published",
            context=opportunity_sample(),
            reply_to="contact@cnsa.example.org",
        )

    return make

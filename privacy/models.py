"""The record of what was done with a person's data: exports, deletions, and
the retention sweep's removals. Written by privacy.services only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PrivacyEventKind(models.TextChoices):
    EXPORTED = "exported", _("Data exported")
    DELETED = "deleted", _("Account deleted")
    RETENTION = "retention", _("Retention applied")


class PrivacyEvent(models.Model):
    """One export, one deletion (at most one per account) or one retention run
    that removed something; `details` keeps the counts, never personal data."""

    kind = models.CharField(_("kind"), max_length=12, choices=PrivacyEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"))
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("personal data event")
        verbose_name_plural = _("personal data events")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PrivacyEventKind.values),
                name="privacy_event_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(kind=PrivacyEventKind.DELETED),
                name="privacy_account_deleted_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user_id or ''} {self.at:%Y-%m-%d}"

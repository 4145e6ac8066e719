"""The outbox in the admin: read-only rows, resend of failed ones, flagged
addresses, and a preview of every email template in both languages."""

from functools import cache

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.admin_lists import LeanChangeListMixin, choices_filter
from config.security import email_preview_frame
from notifications import previews
from notifications.models import EmailStatus, FlaggedAddress, OutboundEmail
from notifications.selectors import outbox_for_admin
from notifications.services import resend_email

HIDDEN = _("Hidden: this email carries a secret link.")


@cache
def _template_names() -> list[str]:
    """The templates on disk, read once per process."""
    return previews.template_names()


# Templates and languages from the code, not DISTINCT values of the whole
# outbox (Django's filter for a field without choices) on every page.
TemplateFilter = choices_filter(
    title=_("template"),
    parameter_name="template",
    choices=lambda: [(name, name) for name in _template_names()],
)
LanguageFilter = choices_filter(
    title=_("language"),
    parameter_name="language",
    choices=lambda: settings.LANGUAGES,
)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(LeanChangeListMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "recipient_link",
        "subject",
        "template",
        "language",
        "status",
        "attempts",
        "delivery_report",
        "sent_at",
    )
    list_filter = ("status", "delivery_report", TemplateFilter, LanguageFilter)
    search_fields = ("to_email", "subject", "idempotency_key", "message_id")
    list_per_page = 50
    # Newest first from the index outbox_recent; the bodies are not read.
    list_defer = ("context", "body_text", "body_html", "last_error", "delivery_detail")
    actions = ["resend_failed"]
    fieldsets = (
        (
            _("Message"),
            {
                "fields": (
                    "to_email",
                    "recipient",
                    "address_flag",
                    "language",
                    "template",
                    "subject",
                    "reply_to",
                    "message_id",
                    "idempotency_key",
                )
            },
        ),
        (
            _("Delivery"),
            {
                "fields": (
                    "status",
                    "attempts",
                    "last_error",
                    "created_at",
                    "next_attempt_at",
                    "claimed_at",
                    "sent_at",
                )
            },
        ),
        (
            _("Mail service report"),
            {
                "fields": (
                    "delivery_report",
                    "delivery_report_at",
                    "delivery_detail",
                    "provider_message_id",
                )
            },
        ),
        (_("Content"), {"fields": ("text_part", "html_part", "context_data")}),
    )

    def get_queryset(self, request):
        return outbox_for_admin()

    def get_readonly_fields(self, request, obj=None):
        return [
            name for _title, options in self.fieldsets for name in options["fields"]
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request) -> bool:
        return self.has_change_permission(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("recipient"), ordering="to_email")
    def recipient_link(self, obj: OutboundEmail):
        """The address, a link to every email to it; marked when flagged."""
        url = "{}?{}".format(
            reverse("admin:notifications_outboundemail_changelist"),
            urlencode({"to_email": obj.to_email}),
        )
        if getattr(obj, "address_flagged", False):
            return format_html(
                '<a href="{}">{}</a> <strong title="{}">⚑</strong>',
                url,
                obj.to_email,
                _("This address bounced, complained or was refused."),
            )
        return format_html('<a href="{}">{}</a>', url, obj.to_email)

    @admin.display(description=_("address flag"))
    def address_flag(self, obj: OutboundEmail):
        flag = FlaggedAddress.objects.filter(email=obj.to_email.lower()).first()
        if flag is None:
            return "—"
        url = reverse("admin:notifications_flaggedaddress_change", args=[flag.pk])
        return format_html('<a href="{}">{}</a>', url, flag.get_reason_display())

    @admin.display(description=_("plain text"))
    def text_part(self, obj: OutboundEmail):
        if obj.sensitive:
            return HIDDEN
        return format_html('<pre class="email-text">{}</pre>', obj.body_text)

    @admin.display(description=_("HTML"))
    def html_part(self, obj: OutboundEmail):
        if obj.sensitive:
            return HIDDEN
        if not obj.body_html:
            return "—"
        # Its own URL, under the email's own policy (config.security): as a
        # srcdoc it would inherit the admin page's, which refuses its styles.
        return format_html(
            '<iframe sandbox src="{}" title="{}" class="email-html"></iframe>',
            reverse("admin:notifications_outboundemail_html", args=[obj.pk]),
            obj.subject,
        )

    @admin.display(description=_("context"))
    def context_data(self, obj: OutboundEmail):
        if obj.sensitive:
            return HIDDEN
        return format_html('<pre class="email-text">{}</pre>', obj.context)

    @admin.action(
        description=_("Resend the selected failed emails"), permissions=["resend"]
    )
    def resend_failed(self, request, queryset):
        failed = queryset.filter(status=EmailStatus.FAILED)
        resent = sum(resend_email(email=email, actor=request.user) for email in failed)
        skipped = queryset.count() - resent
        if resent:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email queued again.",
                    "%(count)d emails queued again.",
                    resent,
                )
                % {"count": resent},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email was not failed and was left alone.",
                    "%(count)d emails were not failed and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/", preview, name="notifications_outboundemail_preview"),
            path(
                "<int:pk>/html/",
                self.admin_site.admin_view(email_preview_frame(self.html_view)),
                name="notifications_outboundemail_html",
            ),
            path(
                "preview/<str:name>/<str:language>/",
                self.admin_site.admin_view(email_preview_frame(self.preview_html_view)),
                name="notifications_outboundemail_preview_html",
            ),
            *super().get_urls(),
        ]

    def html_view(self, request, pk: int):
        """One email's HTML, for the iframe of its change page; never an email
        that carries a secret link."""
        email = self.get_queryset(request).filter(pk=pk).first()
        if email is None or email.sensitive or not email.body_html:
            raise Http404
        if not self.has_view_permission(request, email):
            raise PermissionDenied
        return HttpResponse(email.body_html)

    def preview_html_view(self, request, name: str, language: str):
        """One template's HTML in one language, for the preview's iframe."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if (
            name not in previews.preview_names()
            or name in previews.missing_samples()
            or language not in dict(settings.LANGUAGES)
        ):
            raise Http404
        return HttpResponse(previews.render_preview(name=name, language=language).html)

    def preview_view(self, request):
        """Every template in English and Simplified Chinese, with sample data."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        missing = previews.missing_samples()
        rows = [
            {
                "name": name,
                "previews": [
                    (label, previews.render_preview(name=name, language=code))
                    for code, label in settings.LANGUAGES
                ],
            }
            for name in previews.preview_names()
            if name not in missing
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Email templates"),
            "rows": rows,
            "missing": missing,
        }
        return TemplateResponse(
            request, "admin/notifications/outboundemail/preview.html", context
        )


@admin.register(FlaggedAddress)
class FlaggedAddressAdmin(admin.ModelAdmin):
    """Addresses that bounced, complained or were refused. Deleting clears a flag."""

    list_display = ("email", "reason", "events", "last_flagged_at", "emails_link")
    list_filter = ("reason",)
    search_fields = ("email",)
    readonly_fields = (
        "email",
        "reason",
        "detail",
        "events",
        "first_flagged_at",
        "last_flagged_at",
        "last_email",
    )

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("emails"))
    def emails_link(self, obj: FlaggedAddress):
        url = "{}?{}".format(
            reverse("admin:notifications_outboundemail_changelist"),
            urlencode({"to_email__iexact": obj.email}),
        )
        return format_html('<a href="{}">{}</a>', url, _("Emails to this address"))

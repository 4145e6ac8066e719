"""Messages to a call's proposers, in the administrators' admin site.

An administrator (proposals.permissions.is_administrator) writes a message
(the add page), sees it rendered for each recipient in their language (the
preview, `admin:messaging_message_preview`, a page of recipients at a time,
with their number) and sends it (`admin:messaging_message_send`, POST, through
messaging.services.send_message). A sent message, its filters, who sent it and
when are shown read only, its recipients (address, language, proposals, outbox
row) on their own read-only list. Nobody else sees any of it: the site sends
non-staff to its sign-in page, and staff who are not administrators get 403.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config.admin_site import REFUSALS, refusal_messages, show_refusal
from messaging import emails, selectors, services
from messaging.forms import MessageForm
from messaging.models import Message, MessageRecipient
from proposals.enums import ProposalStage, ProposalStatus
from proposals.permissions import is_administrator

# Recipients rendered on one page of the preview.
PREVIEW_PER_PAGE = 20
TEMPLATES = "admin/messaging/message/"


def _languages() -> dict[str, str]:
    return {"en": _("English"), "zh-hans": _("Simplified Chinese")}


class AdministratorsOnly:
    """Administrators see these models; other staff get 403 on every page (the
    site sends everyone else to its sign-in page)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_administrator(request.user)


@admin.register(Message)
class MessageAdmin(AdministratorsOnly, admin.ModelAdmin):
    form = MessageForm
    list_display = [
        "subject_en",
        "opportunity",
        "filters",
        "created_by",
        "created_at",
        "sent_at",
        "recipients_link",
    ]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "audience"]
    search_fields = ["subject_en", "subject_zh_hans", "opportunity__slug"]
    date_hierarchy = "created_at"
    actions = None
    SENT_FIELDS = [
        "opportunity",
        "filters",
        "subject_en",
        "body_en",
        "subject_zh_hans",
        "body_zh_hans",
        "created_by",
        "created_at",
        "sent_by",
        "sent_at",
        "recipients_link",
    ]

    # --- who may do what -------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """Drafts only: a sent message is read only."""
        return is_administrator(request.user) and (obj is None or not obj.is_sent)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        """A draft, one at a time; never a sent message."""
        return is_administrator(request.user) and obj is not None and not obj.is_sent

    # --- lists and pages ------------------------------------------------------------

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """The call is chosen, not added, changed or deleted from a message:
        no related-object links beside its select (the admin's
        RelatedFieldWidgetWrapper, added by the parent)."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "opportunity" and field is not None:
            widget = field.widget
            for flag in (
                "can_add_related",
                "can_change_related",
                "can_delete_related",
                "can_view_related",
            ):
                if hasattr(widget, flag):
                    setattr(widget, flag, False)
        return field

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.messages_for_admin()

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is not None and obj.is_sent:
            return self.SENT_FIELDS
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is not None and obj.is_sent:
            return self.SENT_FIELDS
        return []

    @admin.display(description=gettext_lazy("filters"))
    def filters(self, message: Message) -> str:
        stage = (
            ProposalStage(message.stage).label if message.stage else _("either stage")
        )
        statuses = ", ".join(
            str(ProposalStatus(status).label)
            for status in message.statuses
            if status in ProposalStatus.values
        )
        return f"{stage}; {statuses}; {message.get_audience_display()}"

    @admin.display(description=gettext_lazy("recipients"), ordering="recipient_count")
    def recipients_link(self, message: Message) -> str:
        if not message.is_sent:
            return "—"
        url = reverse("admin:messaging_messagerecipient_changelist")
        return format_html(
            '<a href="{}?message__id__exact={}">{}</a>',
            url,
            message.pk,
            ngettext(
                "%(count)d recipient", "%(count)d recipients", message.recipient_count
            )
            % {"count": message.recipient_count},
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if is_administrator(request.user):
            extra_context["preview_url"] = reverse(
                "admin:messaging_message_preview", args=[object_id]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # --- saving: through the service, then on to the preview ----------------------

    def save_model(self, request, obj, form, change) -> None:
        services.save_message(message=obj, actor=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.MessageRefused as refusal:
            show_refusal(request, refusal)
            return redirect("admin:messaging_message_changelist")

    def _to_preview(self, request: HttpRequest, obj: Message) -> HttpResponse:
        if "_continue" in request.POST or "_addanother" in request.POST:
            return None
        self.message_user(
            request,
            _("Saved. Check the message as each recipient will read it, then send."),
            messages.SUCCESS,
        )
        return redirect("admin:messaging_message_preview", obj.pk)

    def response_add(self, request, obj, post_url_continue=None):
        return self._to_preview(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._to_preview(request, obj) or super().response_change(request, obj)

    # --- the preview and the send ------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/",
                wrap(self.preview_view),
                name="messaging_message_preview",
            ),
            path("<int:pk>/send/", wrap(self.send_view), name="messaging_message_send"),
            *super().get_urls(),
        ]

    def _message(self, request: HttpRequest, pk: int) -> Message:
        if not is_administrator(request.user):
            raise PermissionDenied
        return get_object_or_404(selectors.messages_for_admin(), pk=pk)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The message as each recipient will read it, a page at a time."""
        message = self._message(request, pk)
        if message.is_sent:
            self.message_user(
                request, _("This message was sent; here is what was recorded.")
            )
            return redirect("admin:messaging_message_change", message.pk)
        try:
            services.check_message(message)
        except services.MessageRefused as refusal:
            problems = refusal_messages(refusal)
        else:
            problems = []
        addressees = [] if problems else selectors.audience(message=message)
        page = Paginator(addressees, PREVIEW_PER_PAGE).get_page(request.GET.get("page"))
        languages = _languages()
        rows = []
        for addressee in page:
            subject, text, _html = emails.render_for(message, addressee)
            rows.append(
                {
                    "addressee": addressee,
                    "language": languages.get(addressee.language, addressee.language),
                    "subject": subject,
                    "text": text,
                }
            )
        return TemplateResponse(
            request,
            TEMPLATES + "preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": message,
                "title": _("Preview: %(subject)s") % {"subject": message.subject_en},
                "filters": self.filters(message),
                "problems": problems,
                "count": len(addressees),
                "page": page,
                "rows": rows,
                "change_url": reverse(
                    "admin:messaging_message_change", args=[message.pk]
                ),
                "send_url": reverse("admin:messaging_message_send", args=[message.pk]),
            },
        )

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Send the message once (POST), then show it as sent."""
        message = self._message(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            expected = int(request.POST.get("count", ""))
        except ValueError:
            expected = None
        try:
            sent = services.send_message(
                message=message, actor=request.user, expected_count=expected
            )
        except REFUSALS as refusal:
            show_refusal(request, refusal)
            if message.is_sent:
                return redirect("admin:messaging_message_change", message.pk)
            return redirect("admin:messaging_message_preview", message.pk)
        self.message_user(
            request,
            ngettext(
                "Sent to %(count)d recipient through the outbox.",
                "Sent to %(count)d recipients through the outbox.",
                sent.recipient_count,
            )
            % {"count": sent.recipient_count},
            messages.SUCCESS,
        )
        return redirect("admin:messaging_message_change", message.pk)


@admin.register(MessageRecipient)
class MessageRecipientAdmin(AdministratorsOnly, admin.ModelAdmin):
    """Who each sent message went to: read only, recorded by send_message."""

    list_display = [
        "email",
        "name",
        "language_name",
        "message",
        "proposals_list",
        "outbox",
    ]
    list_filter = ["language", "message"]
    search_fields = ["email", "name"]
    actions = None
    fields = [
        "message",
        "email",
        "name",
        "language",
        "user",
        "proposals_list",
        "outbox",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.recipients_for_admin()

    @admin.display(description=gettext_lazy("language"), ordering="language")
    def language_name(self, recipient: MessageRecipient) -> str:
        return _languages().get(recipient.language, recipient.language)

    @admin.display(description=gettext_lazy("proposals"))
    def proposals_list(self, recipient: MessageRecipient) -> str:
        return ", ".join(
            proposal.reference or proposal.title or _("Untitled proposal")
            for proposal in recipient.proposals.all()
        )

    @admin.display(description=gettext_lazy("email in the outbox"))
    def outbox(self, recipient: MessageRecipient) -> str:
        email = recipient.outbound
        if email is None:
            return "—"
        return format_html_join(
            "",
            '<a href="{}">#{}</a> {}',
            [
                (
                    reverse(
                        "admin:notifications_outboundemail_change", args=[email.pk]
                    ),
                    email.pk,
                    email.get_status_display(),
                )
            ],
        )

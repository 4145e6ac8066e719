"""Questions in the administrators' site (`/admin/`): read the question as
asked, write the published wording and the answer in both languages, then
answer, publish, decline with a reason, or turn a published question into an
amendment of the call.

Every write goes through questions.services: the change form's save through
`edit_question`, its "Save and answer" and "Save and publish" buttons through
`answer_question` and `publish_question` (questions.workflow judges each move),
the decline and amendment pages through `decline_question` and
`turn_into_amendment`. Refusals are shown by config.admin_site.show_refusal.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.forms import AmendmentForm
from catalogue.templatetags.catalogue_tags import beijing
from config.admin_site import REFUSALS, show_refusal
from questions import selectors, services, workflow
from questions.enums import QuestionStatus as S
from questions.forms import DeclineForm
from questions.models import Question
from questions.permissions import can_manage_questions

TEMPLATES = "admin/questions/question/"
EDITABLE = ["wording_en", "wording_zh_hans", "answer_en", "answer_zh_hans"]
ALWAYS_READ_ONLY = [
    "opportunity",
    "asker_line",
    "asked_when",
    "asked_language",
    "asked_text",
    "status",
    "number",
    "history_line",
    "decline_reason",
    "amendment_link",
]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = [
        "short_text",
        "opportunity",
        "status",
        "number",
        "asked_when",
        "asker",
    ]
    list_filter = ["status", ("opportunity", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["opportunity", "asker"]
    search_fields = ["asked_text", "wording_en", "wording_zh_hans", "asker__email"]
    ordering = ["-asked_at", "-pk"]
    change_form_template = TEMPLATES + "change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "opportunity",
                    "asker_line",
                    "asked_when",
                    "status",
                    "number",
                    "history_line",
                    "amendment_link",
                ]
            },
        ),
        (
            gettext_lazy("Question and answer"),
            {
                "description": gettext_lazy(
                    "The question as asked is private. Write the published "
                    "wording without anything that tells who asked, and the "
                    "answer, in English and in Simplified Chinese: both are "
                    "needed to publish."
                ),
                "fields": ["asked_language", "asked_text", *EDITABLE],
            },
        ),
        (gettext_lazy("Declined"), {"fields": ["decline_reason"]}),
    ]

    # --- who ------------------------------------------------------------------

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_questions(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_questions(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_questions(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # researchers ask on the call's page

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        if not can_manage_questions(request.user):
            return Question.objects.none()
        return selectors.for_admin()

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is not None and obj.status not in S.editable():
            return [*ALWAYS_READ_ONLY, *EDITABLE]
        return ALWAYS_READ_ONLY

    # --- columns and read-only lines -----------------------------------------

    @admin.display(description=gettext_lazy("question"))
    def short_text(self, question: Question) -> str:
        return str(question)

    @admin.display(description=gettext_lazy("asked"), ordering="asked_at")
    def asked_when(self, question: Question) -> str:
        return beijing(question.asked_at)

    @admin.display(description=gettext_lazy("asked by"))
    def asker_line(self, question: Question) -> str:
        asker = question.asker
        return f"{asker.full_name} · {asker.institution} · {asker.email}"

    @admin.display(description=gettext_lazy("history"))
    def history_line(self, question: Question) -> str:
        lines = []
        for label, moment, who in (
            (_("Answered"), question.answered_at, question.answered_by),
            (_("Published"), question.published_at, question.published_by),
            (_("Declined"), question.declined_at, question.declined_by),
        ):
            if moment:
                lines.append(
                    _("%(what)s %(when)s by %(who)s")
                    % {"what": label, "when": beijing(moment), "who": who or "—"}
                )
        return "; ".join(lines) or "—"

    @admin.display(description=gettext_lazy("amendment"))
    def amendment_link(self, question: Question) -> str:
        if question.amendment_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse(
                f"{self.admin_site.name}:catalogue_opportunity_change",
                args=[question.opportunity_id],
            ),
            question.amendment,
        )

    # --- saving through the services -----------------------------------------

    def save_model(self, request, obj: Question, form, change) -> None:
        if obj.status not in S.editable():
            return  # every field is read only: nothing to save
        services.edit_question(
            question=obj,
            actor=request.user,
            **{field: form.cleaned_data.get(field) or "" for field in EDITABLE},
        )

    def response_change(self, request: HttpRequest, obj: Question) -> HttpResponse:
        moves = {
            "_answer": services.answer_question,
            "_publish": services.publish_question,
        }
        for button, move in moves.items():
            if button in request.POST:
                try:
                    move(question=obj, actor=request.user)
                except REFUSALS as refusal:
                    show_refusal(request, refusal)
                else:
                    self.message_user(
                        request,
                        _(
                            "The question is now “%(status)s”; the emails are on "
                            "their way."
                        )
                        % {"status": S(obj.status).label},
                        messages.SUCCESS,
                    )
                return HttpResponseRedirect(self._url("change", obj))
        return super().response_change(request, obj)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            targets = workflow.allowed_targets(obj)
            context.update(
                can_answer=S.ANSWERED in targets,
                can_publish=S.PUBLISHED in targets,
                decline_url=self._url("decline", obj) if S.DECLINED in targets else "",
                amend_url=self._url("amend", obj)
                if obj.status == S.PUBLISHED and obj.amendment_id is None
                else "",
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    # --- the decline and amendment pages --------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/decline/",
                wrap(self.decline_view),
                name="questions_question_decline",
            ),
            path(
                "<path:object_id>/amend/",
                wrap(self.amend_view),
                name="questions_question_amend",
            ),
            *super().get_urls(),
        ]

    def _url(self, view: str, question: Question) -> str:
        return reverse(
            f"{self.admin_site.name}:questions_question_{view}", args=[question.pk]
        )

    def _question_to_change(self, request, object_id) -> Question:
        question = self.get_object(request, unquote(object_id))
        if question is None:
            raise Http404(_("No such question."))
        if not self.has_change_permission(request, question):
            raise PermissionDenied
        return question

    def _page(self, request, template: str, question: Question, **context):
        return TemplateResponse(
            request,
            TEMPLATES + template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": question,
                "change_url": self._url("change", question),
                **context,
            },
        )

    def decline_view(self, request: HttpRequest, object_id: str):
        """Decline a question with the reason the asker is emailed."""
        question = self._question_to_change(request, object_id)
        if S.DECLINED not in workflow.allowed_targets(question):
            # A published or declined question: say so rather than offer a
            # form that can only be refused.
            show_refusal(request, workflow.refusal(question, to=S.DECLINED))
            return redirect(self._url("change", question))
        form = DeclineForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.decline_question(
                    question=question,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except REFUSALS as refusal:
                show_refusal(request, refusal)
            else:
                self.message_user(
                    request,
                    _("The question is declined; the asker is being told why."),
                    messages.SUCCESS,
                )
            return redirect(self._url("change", question))
        return self._page(
            request,
            "decline.html",
            question,
            title=_("Decline a question"),
            form=form,
        )

    def amend_view(self, request: HttpRequest, object_id: str):
        """Post the published question and its answer as an amendment of the
        call, in one step: the form starts from the question's texts."""
        question = self._question_to_change(request, object_id)
        if question.status != S.PUBLISHED or question.amendment_id is not None:
            self.message_user(
                request,
                _("This question has already become an amendment.")
                if question.amendment_id is not None
                else _("Only a published question can become an amendment."),
                messages.ERROR,
            )
            return redirect(self._url("change", question))
        form = AmendmentForm(
            request.POST or None,
            initial=services.amendment_draft(question),
        )
        if request.method == "POST" and form.is_valid():
            try:
                amendment = services.turn_into_amendment(
                    question=question, actor=request.user, **form.cleaned_data
                )
            except REFUSALS as refusal:
                show_refusal(request, refusal)
            else:
                self.message_user(
                    request,
                    _(
                        "Amendment “%(title)s” posted; the call's contacts, "
                        "followers and teams at work are being emailed."
                    )
                    % {"title": amendment.title_en},
                    messages.SUCCESS,
                )
            return redirect(self._url("change", question))
        return self._page(
            request,
            "amend.html",
            question,
            title=_("Turn question %(number)s into an amendment")
            % {"number": question.number},
            form=form,
        )

"""A researcher's question on a call, and the agency's answer.

The text as asked (`asked_text`) stays private to the asker, the call's CNSA
contacts and the administrators. What the public reads is the published wording
(`wording`, edited by an administrator to remove who asked) and the answer,
each in English and Simplified Chinese: modeltranslation adds the `_en` and
`_zh_hans` columns (questions/translation.py), as for the catalogue's texts, so
reading `wording` gives the reader's language, falling back to English.

Only questions.workflow assigns `status`, `number` and the who/when of each move.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Amendment, Opportunity
from questions.enums import QuestionStatus

# The longest question a researcher may ask, in characters.
QUESTION_MAX_LENGTH = 4000
# What a question's name shows of its text, in the admin and elsewhere.
SHORT_LENGTH = 80


class Question(models.Model):
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("call"),
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="questions_asked",
        verbose_name=_("asked by"),
    )
    asked_text = models.TextField(
        _("question as asked"), max_length=QUESTION_MAX_LENGTH
    )
    asked_language = models.CharField(
        _("language asked in"), max_length=8, choices=settings.LANGUAGES
    )
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=QuestionStatus.choices,
        default=QuestionStatus.ASKED,
        editable=False,
    )
    wording = models.TextField(
        _("published wording"),
        blank=True,
        help_text=_(
            "The question as the public will read it: leave out whatever "
            "identifies who asked."
        ),
    )
    answer = models.TextField(_("answer"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    number = models.PositiveIntegerField(
        _("number"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Given on publication: Q1, Q2 … in the order published."),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declined by"),
    )
    amendment = models.ForeignKey(
        Amendment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("amendment"),
        help_text=_("The amendment this question and its answer became."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "number"], name="question_number_once_per_call"
            ),
            models.CheckConstraint(
                condition=Q(status=QuestionStatus.PUBLISHED, number__isnull=False)
                | (~Q(status=QuestionStatus.PUBLISHED) & Q(number__isnull=True)),
                name="question_numbered_when_published",
            ),
            models.CheckConstraint(
                condition=~Q(status=QuestionStatus.DECLINED) | ~Q(decline_reason=""),
                name="question_declined_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["opportunity", "status"])]

    def __str__(self) -> str:
        text = self.wording or self.asked_text
        if len(text) <= SHORT_LENGTH:
            return text
        return f"{text[: SHORT_LENGTH - 1]}…"

    def get_absolute_url(self) -> str:
        return reverse("questions:detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == QuestionStatus.PUBLISHED

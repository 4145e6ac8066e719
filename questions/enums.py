from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionStatus(models.TextChoices):
    ASKED = "asked", _("Asked")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Published")
    DECLINED = "declined", _("Declined")

    @classmethod
    def editable(cls) -> frozenset["QuestionStatus"]:
        """While its published wording and answer may still be changed."""
        return frozenset({cls.ASKED, cls.ANSWERED})

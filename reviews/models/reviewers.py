"""Reviewers: what the automatic assignment and the conflict checks know of them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def split_keywords(text: str) -> list[str]:
    """Keywords separated by commas or semicolons (Chinese ones too), normalised.

    "Radon, lunar dust; regolith" gives ["radon", "lunar dust", "regolith"].
    """
    for separator in (";", "，", "、", "；", "\n"):
        text = text.replace(separator, ",")
    seen: dict[str, None] = {}
    for part in text.split(","):
        keyword = " ".join(part.split()).casefold()
        if keyword:
            seen.setdefault(keyword, None)
    return list(seen)


class ReviewerProfile(models.Model):
    """What the automatic assignment and the conflict checks know of a reviewer.

    The reviewer's main institution and country are on their account
    (accounts.User); `other_institutions` lists further affiliations, one a line,
    which count for conflicts of interest too.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviewer_profile",
        verbose_name=_("reviewer"),
    )
    expertise = models.CharField(
        _("expertise keywords"),
        max_length=500,
        blank=True,
        help_text=_(
            "Separated by commas, e.g. lunar regolith, radon, mass spectrometry."
        ),
    )
    other_institutions = models.TextField(
        _("other affiliations"),
        blank=True,
        help_text=_(
            "Further institutions the reviewer works for or with, one a line; "
            "they count for conflicts of interest."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")
        ordering = ["user__email"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def expertise_keywords(self) -> list[str]:
        return split_keywords(self.expertise)

    @property
    def other_institution_names(self) -> list[str]:
        return [line.strip() for line in self.other_institutions.splitlines() if line]

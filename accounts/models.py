"""The portal's user: email is the login, the profile lives on the same row."""

import simple_history
from django.contrib.auth.models import AbstractUser, BaseUserManager, Group
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from config.history import AuditRecords

ORCID_VALIDATOR = RegexValidator(
    r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$",
    _("Enter an ORCID iD such as 0000-0002-1825-0097."),
)


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    CHINESE = "zh-hans", _("Simplified Chinese")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError(_("An email address is required."))
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    institution = models.CharField(_("institution"), max_length=255, blank=True)
    country = CountryField(_("country"), blank=True)
    orcid = models.CharField(
        _("ORCID iD"), max_length=19, blank=True, validators=[ORCID_VALIDATOR]
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=Language.choices,
        default=Language.ENGLISH,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()
    # The audit keeps who may do what, not who the person is: the flags, groups
    # and permissions. No password hash, no sign-in time, no personal data
    # (a deleted account's history names nobody).
    history = AuditRecords(
        m2m_fields=["groups", "user_permissions"],
        excluded_fields=[
            "password",
            "last_login",
            "date_joined",
            "email",
            "full_name",
            "institution",
            "country",
            "orcid",
            "preferred_language",
        ],
        skip_unchanged=True,
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        # Names come with titles and in many orders ("Dr Amina Haddad", "GAN Yong"):
        # no word of them is safe to pick, so the short name is the whole name.
        return self.full_name or self.email


# The groups' permissions are audited too; the history tables live in accounts.
simple_history.register(
    Group, app="accounts", m2m_fields=["permissions"], records_class=AuditRecords
)

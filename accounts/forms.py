"""Sign-up and profile forms: who a researcher is, where they work, how to write."""

import re

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, User

ORCID_URL_PREFIX = re.compile(r"^(https?://)?(www\.)?orcid\.org/", re.IGNORECASE)
ORCID_SHAPE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
ORCID_DIGITS = 16


def normalise_orcid(raw: str) -> str:
    """Accept `0000-0002-1825-0097`, `https://orcid.org/…` or 16 bare characters."""
    value = ORCID_URL_PREFIX.sub("", raw.strip()).replace(" ", "").upper()
    compact = value.replace("-", "")
    if len(compact) == ORCID_DIGITS and "-" not in value:
        value = "-".join(compact[i : i + 4] for i in range(0, ORCID_DIGITS, 4))
    return value


def orcid_check_digit(base_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)  # noqa: PLR2004 — 10 is written X


def _current_language() -> str:
    language = (get_language() or Language.ENGLISH).lower()
    return Language.CHINESE if language.startswith("zh") else Language.ENGLISH


def _country_field() -> forms.Field:
    """A required ISO 3166 country select; its names follow the active language."""
    return User._meta.get_field("country").formfield(
        required=True, empty_label=_("Choose your country")
    )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (email, password twice) plus the researcher's profile."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("As it should appear on proposals, e.g. Marie Curie."),
    )
    institution = forms.CharField(
        label=_("Institution"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        help_text=_("University, institute or company you work for."),
    )
    country = _country_field()
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=Language.choices,
        help_text=_("Used for the portal and for the emails we send you."),
    )

    field_order = (
        "email",
        "password1",
        "password2",
        "full_name",
        "institution",
        "country",
        "preferred_language",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form: the country names follow the language active now.
        self.fields["country"] = _country_field()
        self.fields["preferred_language"].initial = _current_language()

    def profile_data(self) -> dict:
        """The profile fields the adapter writes on the new user."""
        return {
            "full_name": self.cleaned_data["full_name"].strip(),
            "institution": self.cleaned_data["institution"].strip(),
            "country": self.cleaned_data["country"],
            "preferred_language": self.cleaned_data["preferred_language"],
        }


class ProfileForm(forms.ModelForm):
    country = _country_field()

    class Meta:
        model = User
        fields = ("full_name", "institution", "country", "orcid", "preferred_language")
        help_texts = {
            "orcid": _(
                "Optional. Your ORCID iD such as 0000-0002-1825-0097; "
                "the full https://orcid.org/ address is accepted too."
            ),
            "preferred_language": _(
                "Used for the portal and for the emails we send you."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form: the country names follow the language active now.
        self.fields["country"] = _country_field()
        self.fields["full_name"].required = True
        self.fields["institution"].required = True
        self.fields["orcid"].widget.attrs.update(
            {"placeholder": "0000-0000-0000-0000", "inputmode": "text"}
        )
        # The model's own pattern check would repeat ours with a vaguer message.
        self.fields["orcid"].validators = []

    def clean_orcid(self) -> str:
        raw = self.cleaned_data.get("orcid", "")
        if not raw.strip():
            return ""
        value = normalise_orcid(raw)
        if not ORCID_SHAPE.match(value):
            raise forms.ValidationError(
                _(
                    "An ORCID iD has 16 characters in four groups of four, such as "
                    "0000-0002-1825-0097; only the last one may be an X."
                ),
                code="orcid_format",
            )
        compact = value.replace("-", "")
        if orcid_check_digit(compact[:-1]) != compact[-1]:
            raise forms.ValidationError(
                _(
                    "This ORCID iD's last character does not match the others: "
                    "please copy it again from your ORCID record."
                ),
                code="orcid_checksum",
            )
        return value

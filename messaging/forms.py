"""The administrators' form for writing a message to a call's proposers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.enums import OpportunityStatus
from catalogue.models import Opportunity
from messaging import placeholders
from messaging.models import Message
from proposals.enums import ProposalStatus

TEXT_FIELDS = ("subject_en", "body_en", "subject_zh_hans", "body_zh_hans")


class MessageForm(forms.ModelForm):
    statuses = forms.MultipleChoiceField(
        label=_("Statuses"),
        choices=ProposalStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "e.g. “Draft” for every proposal not yet submitted; “Selected” and "
            "“Conditionally selected” for every selected team."
        ),
    )

    class Meta:
        model = Message
        fields = [
            "opportunity",
            "stage",
            "statuses",
            "audience",
            "subject_en",
            "body_en",
            "subject_zh_hans",
            "body_zh_hans",
        ]
        widgets = {
            "audience": forms.RadioSelect,
            "body_en": forms.Textarea(attrs={"rows": 10}),
            "body_zh_hans": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        known = ", ".join(f"{{{name}}}" for name in placeholders.PLACEHOLDERS)
        if "opportunity" in self.fields:
            self.fields["opportunity"].queryset = Opportunity.objects.exclude(
                status=OpportunityStatus.DRAFT
            ).order_by("-proposal_deadline")
        for name in TEXT_FIELDS:
            if name in self.fields:
                self.fields[name].help_text = " ".join(
                    filter(
                        None,
                        [
                            str(self.fields[name].help_text),
                            str(_("Placeholders: %(known)s.") % {"known": known}),
                        ],
                    )
                )

    def _clean_text(self, name: str) -> str:
        text = self.cleaned_data.get(name, "")
        problems = placeholders.problems(text)
        if problems:
            raise forms.ValidationError(problems)
        return text

    def clean_subject_en(self) -> str:
        return self._clean_text("subject_en")

    def clean_body_en(self) -> str:
        return self._clean_text("body_en")

    def clean_subject_zh_hans(self) -> str:
        return self._clean_text("subject_zh_hans")

    def clean_body_zh_hans(self) -> str:
        return self._clean_text("body_zh_hans")

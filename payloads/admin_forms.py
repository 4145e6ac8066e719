"""The administrators' forms for payloads (payloads.admin_views).

They parse what an administrator posts; payloads.services decides and writes.
A refused form is shown again with everything typed in it.

- AllocationForm: the resources allocated, with the reason for the change;
- ConditionReviewForm: accept a condition, or return it with a note;
- DeselectForm: the letter that de-selects a payload;
- AgreementMoveForm / AgreementSignForm: an agreement's next status, or its
  signature with the signed PDF;
- SlipForm / CompleteForm: a milestone's new planned date with the reason, or
  the day it was done;
- DeliveryForm / DeliveryDecisionForm: a delivery as measured, and its
  acceptance (an overrun confirmed explicitly) or rejection;
- HandoverForm: data delivered to the team.

Dates are calendar days in Beijing time.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from payloads.enums import AgreementStatus, DeliveryUnit
from proposals.resources import parse_size_mm

ACCEPT = "accept"
RETURN = "return"
REJECT = "reject"


class DayField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})


def _amount(label, *, places: int, digits: int) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=digits,
        decimal_places=places,
    )


def _clean_size(value: str) -> str:
    value = value.strip()
    if value and parse_size_mm(value) is None:
        raise forms.ValidationError(
            _("Give the size as length × width × height in mm, e.g. 300 × 200 × 150.")
        )
    return value


class AllocationForm(forms.Form):
    mass_kg = _amount(_("Mass (kg)"), places=3, digits=8)
    power_w = _amount(_("Power (W)"), places=2, digits=8)
    data_mb_per_day = _amount(_("Data (MB per day)"), places=2, digits=10)
    size_mm = forms.CharField(
        label=_("Size (mm)"),
        required=False,
        max_length=60,
        help_text=_("Length × width × height, e.g. 300 × 200 × 150."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the payload's history."),
    )

    def clean_size_mm(self) -> str:
        return _clean_size(self.cleaned_data["size_mm"])


class ConditionReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ACCEPT, _("Accept the answer")),
            (RETURN, _("Return it to the team")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the team"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the condition is returned: say what is missing."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == RETURN and not data.get("note", "").strip():
            self.add_error(
                "note", _("Say what the team must still do before it is returned.")
            )
        return data


class DeselectForm(forms.Form):
    letter = forms.CharField(
        label=_("Letter to the team"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Emailed to the principal investigator and the team."),
    )


class AgreementMoveForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # Signing takes the signed PDF: AgreementSignForm.
        self.fields["to"].choices = [
            (value, label)
            for value, label in AgreementStatus.choices
            if value in allowed and value != AgreementStatus.SIGNED
        ]


class AgreementSignForm(forms.Form):
    signed_file = forms.FileField(
        label=_("Signed agreement (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    signed_by_name = forms.CharField(
        label=_("Signed by"),
        max_length=300,
        help_text=_("The names of the signatories on both sides."),
    )
    signed_on = DayField(label=_("Signed on"))


class SlipForm(forms.Form):
    to_date = DayField(label=_("New planned date"))
    reason = forms.CharField(
        label=_("Reason for the slip"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The call's CNSA contacts are told of the slip."),
    )


class CompleteForm(forms.Form):
    actual_date = DayField(label=_("Done on"))


class DeliveryForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit delivered"), choices=DeliveryUnit.choices)
    milestone = forms.TypedChoiceField(
        label=_("Milestone"), required=False, coerce=int, empty_value=None
    )
    delivered_on = DayField(label=_("Delivered on"))
    mass_kg = forms.DecimalField(
        label=_("Measured mass (kg)"), min_value=0, max_digits=8, decimal_places=3
    )
    power_w = _amount(_("Measured power (W)"), places=2, digits=8)
    size_mm = forms.CharField(
        label=_("Measured size (mm)"),
        required=False,
        max_length=60,
        help_text=_("Length × width × height, e.g. 300 × 200 × 150."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].choices = [
            ("", "—"),
            *((milestone.pk, str(milestone.name)) for milestone in milestones),
        ]

    def clean_size_mm(self) -> str:
        return _clean_size(self.cleaned_data["size_mm"])


class DeliveryDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ACCEPT, _("Accept the delivery")), (REJECT, _("Reject it"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    overrun_confirmed = forms.BooleanField(
        label=_("I accept this unit although it exceeds its allocation"),
        required=False,
    )

    def __init__(self, *args, overrun: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not overrun:
            del self.fields["overrun_confirmed"]


class HandoverForm(forms.Form):
    delivered_on = DayField(label=_("Delivered on"))
    dataset = forms.CharField(label=_("Data set"), max_length=300)
    volume_gb = forms.DecimalField(
        label=_("Volume (GB)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=3,
    )
    link = forms.CharField(
        label=_("Link or DOI"),
        max_length=500,
        help_text=_("An https:// address or a DOI such as 10.1234/abcd."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

"""The administrators' forms of the review panel (reviews.panel).

They parse what an administrator posts; reviews.services decides and writes.

- AssignForm: one reviewer for one or several proposals, with a due date;
- AutoAssignForm: the due date of an automatic plan, and the stored plan shown
  (its id and fingerprint), so "Save this plan" saves what was seen;
- ReopenForm: the reason for reopening a submitted review;
- ManifestForm: diversity limits and a pin (auto / in / out) per candidate;
- DecisionRowForm: per proposal, the outcome and the conditions;
- DecisionLetterForm: one proposal's outcome, conditions and letter;
- LetterTemplatesForm: the call's letter for each outcome;
- LetterRowForm: shortlist or decline each letter of intent, with a note;
- PostForm, PrimaryReviewerForm, ConsensusForm: a proposal's discussion thread;
- PanelSettingsForm: the disagreement threshold and the triage line.

Due dates are days in Beijing time: a review is due at 23:59 Beijing time
(UTC+8) on the day chosen.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.enums import DecisionOutcome

BEIJING = ZoneInfo("Asia/Shanghai")
DEFAULT_REVIEW_DAYS = 21

PIN_AUTO = "auto"
PIN_IN = "in"
PIN_OUT = "out"
PIN_CHOICES = [
    (PIN_AUTO, _("Auto")),
    (PIN_IN, _("In")),
    (PIN_OUT, _("Out")),
]

SHORTLIST = "shortlist"
DECLINE = "decline"


def due_at(day: date) -> datetime:
    """The moment a review is due: 23:59 Beijing time on `day`."""
    return datetime.combine(day, time(23, 59), tzinfo=BEIJING)


def default_due_day(now: datetime | None = None) -> date:
    now = now or timezone.now()
    return (now.astimezone(BEIJING) + timedelta(days=DEFAULT_REVIEW_DAYS)).date()


class DueDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Review due"))
        kwargs.setdefault(
            "help_text", _("The review is due at 23:59 Beijing time (UTC+8) that day.")
        )
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        if day is not None and due_at(day) <= timezone.now():
            raise forms.ValidationError(_("The due date must be in the future."))
        return day


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        parts = [obj.get_full_name() or obj.email]
        if obj.institution:
            parts.append(obj.institution)
        if obj.country:
            parts.append(obj.country.code)
        return " · ".join(str(part) for part in parts)


class AssignForm(forms.Form):
    """Assign one reviewer to the proposals ticked in the table."""

    proposals = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Proposals"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one proposal.")},
    )
    reviewer = ReviewerChoiceField(queryset=None, label=_("Reviewer"))
    due = DueDateField()

    def __init__(self, *args, proposals, reviewers, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("due", default_due_day())
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = proposals
        self.fields["reviewer"].queryset = reviewers

    def due_at(self) -> datetime:
        return due_at(self.cleaned_data["due"])

    def reviewer_options(self, reviewers) -> list[dict]:
        """The reviewer select's options, from the reviewers the page has read
        already (the field's queryset is read only to check a reviewer posted):
        dicts of `value`, `label` and `selected`."""
        field = self.fields["reviewer"]
        chosen = str(self["reviewer"].value() or "")
        return [
            {
                "value": reviewer.pk,
                "label": field.label_from_instance(reviewer),
                "selected": str(reviewer.pk) == chosen,
            }
            for reviewer in reviewers
        ]


class AutoAssignForm(forms.Form):
    """Save the stored plan shown (reviews.models.AssignmentPlanRun): its id
    and the fingerprint it was shown with, and the reviews' due date."""

    due = DueDateField()
    plan = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("due", default_due_day())
        super().__init__(*args, **kwargs)

    def due_at(self) -> datetime:
        return due_at(self.cleaned_data["due"])


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the review is reopened"),
        help_text=_("Kept in the review's history and emailed to the reviewer."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Give a reason.")},
    )


def pin_field_name(candidate_id) -> str:
    return f"pin_{candidate_id}"


class ManifestForm(forms.Form):
    """Submitted by GET: the recommendation changes nothing."""

    max_per_country = forms.IntegerField(
        label=_("At most this many payloads per country"),
        min_value=1,
        required=False,
    )
    min_countries = forms.IntegerField(
        label=_("At least this many countries"), min_value=0, required=False
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for candidate in self.candidates:
            self.fields[pin_field_name(candidate.id)] = forms.ChoiceField(
                label=candidate.label,
                choices=PIN_CHOICES,
                initial=PIN_AUTO,
                required=False,
                widget=forms.RadioSelect,
            )

    def pins(self, value: str) -> frozenset:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return frozenset(
            candidate.id
            for candidate in self.candidates
            if data.get(pin_field_name(candidate.id)) == value
        )

    def pin_field(self, candidate_id):
        return self[pin_field_name(candidate_id)]


OUTCOME_CHOICES = [("", _("— undecided —")), *DecisionOutcome.choices]


class DecisionRowForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=OUTCOME_CHOICES, required=False
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 30}),
        required=False,
        max_length=5000,
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("outcome") == DecisionOutcome.CONDITIONALLY_SELECTED
            and not cleaned.get("conditions", "").strip()
        ):
            self.add_error(
                "conditions", _("A conditional selection states its conditions.")
            )
        return cleaned


def decision_prefix(proposal) -> str:
    return f"p{proposal.pk}"


class DecisionLetterForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DecisionOutcome.choices)
    conditions = forms.CharField(
        label=_("Conditions"),
        help_text=_("Required for a conditional selection; the letter quotes them."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    letter = forms.CharField(
        label=_("Decision letter"),
        help_text=_("Sent to the principal investigator and the team on release."),
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90}),
        max_length=20000,
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("outcome") == DecisionOutcome.CONDITIONALLY_SELECTED
            and not cleaned.get("conditions", "").strip()
        ):
            self.add_error(
                "conditions", _("A conditional selection states its conditions.")
            )
        return cleaned


class LetterTemplatesForm(forms.Form):
    """The call's letter for each outcome; emptied, the default comes back."""

    help = _(
        "Placeholders: {reference}, {title}, {call}, {pi_name} and {conditions} are "
        "replaced for each proposal. Leave a letter empty to use the default."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for outcome in DecisionOutcome:
            self.fields[outcome.value] = forms.CharField(
                label=outcome.label,
                widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
                required=False,
                max_length=20000,
            )


class LetterRowForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("", _("— not yet —")),
            (SHORTLIST, _("Shortlist")),
            (DECLINE, _("Decline")),
        ],
        required=False,
    )
    note = forms.CharField(
        label=_("Note to the team"),
        help_text=_("Sent with a declined letter."),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 30}),
        required=False,
        max_length=2000,
    )


# --- the panel's phases and settings (reviews.panel.phases) ----------------------


class PrimaryReviewerForm(forms.Form):
    """One of the proposal's reviewers, or none (the administrators write)."""

    reviewer = forms.TypedChoiceField(
        label=_("Primary reviewer"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Writes the consensus report; nobody: the administrators do."),
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.reviewers = {reviewer.pk: reviewer for reviewer in reviewers}
        self.fields["reviewer"].choices = [
            ("", _("— nobody —")),
            *(
                (pk, reviewer.get_full_name() or reviewer.email)
                for pk, reviewer in self.reviewers.items()
            ),
        ]

    def chosen(self):
        pk = self.cleaned_data["reviewer"]
        return self.reviewers.get(pk) if pk is not None else None


class PanelSettingsForm(forms.Form):
    disagreement_threshold = forms.DecimalField(
        label=_("Disagreement threshold"),
        max_digits=3,
        decimal_places=2,
        help_text=_(
            "A proposal is flagged when its reviewers' weighted scores differ by "
            "at least this much (on the 1–5 scale)."
        ),
    )
    triage_percent = forms.IntegerField(
        label=_("Triage line (%)"),
        required=False,
        help_text=_(
            "The bottom share of proposals by normalised score, marked as not "
            "discussed (they still receive their reviewers' comments). Empty: "
            "no triage."
        ),
    )

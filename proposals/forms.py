"""The researcher's forms. They parse what is posted into Python values; the
services in proposals.services judge it and raise ValidationError, which
`add_service_errors` puts back on the form next to the fields concerned.

One form per section, each posted on its own, so an error in one section never
costs what was typed in another. Every form has a prefix: the editor page holds
them all at once.
"""

import copy
import functools
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.formats import number_format
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from catalogue.enums import CarrierKind
from proposals.enums import Section
from proposals.models import Proposal, TeamMember
from proposals.resources import FIGURES, format_number, read_figure
from proposals.services import SECTION_FIELDS, TEXT_LIMITS, section_numbers
from proposals.services.team import MEMBER_FIELDS
from proposals.widgets import LongSelect

ROWS = {"abstract": 6, "objectives": 6, "payload_description": 6}
TEXT_FIELDS = frozenset(
    {
        "abstract",
        "objectives",
        "relevance",
        "payload_description",
        "heritage",
        "operations_needs",
        "funding_statement",
    }
)
NUMBER_FIELDS = frozenset(
    {
        "mass_kg",
        "power_avg_w",
        "power_peak_w",
        "data_mb_per_day",
        "length_mm",
        "width_mm",
        "height_mm",
    }
)

# The order in which the editor shows the sections.
EDITOR_SECTIONS = [
    Section.SUMMARY,
    Section.OBJECTIVES,
    Section.PAYLOAD,
    Section.RESOURCES,
    Section.TEAM,
    Section.FUNDING,
    Section.DOCUMENTS,
    Section.STATEMENTS,
]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on `form`: field messages next to their
    field, the rest at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        if field == NON_FIELD_ERRORS:
            target = None
        for message in messages:
            form.add_error(target, message)


def _widgets(fields) -> dict:
    widgets = {}
    for name in fields:
        if name in TEXT_FIELDS:
            widgets[name] = forms.Textarea(attrs={"rows": ROWS.get(name, 4)})
        elif name in NUMBER_FIELDS:
            # A text input, not type=number: the browser would send "" for "abc"
            # and the figure would vanish unannounced; the server names it instead.
            widgets[name] = forms.TextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off"}
            )
    return widgets


class FigureField(forms.CharField):
    """A figure of the resource request (proposals.resources.FIGURES), judged as
    typed: "abc", "-3" and "1e9" are refused with the unit and the limit."""

    def __init__(self, *, figure: str, **kwargs):
        self.figure = figure
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        figure, problem = read_figure(self.figure, text)
        if problem:
            raise ValidationError(problem, code="figure")
        if figure is None:
            return None
        return int(figure) if FIGURES[self.figure].places == 0 else figure


class FetchedChoiceIterator(forms.models.ModelChoiceIterator):
    """A model choice field's options from one plain SELECT. Django's iterator
    reads the queryset with .iterator(), which on PostgreSQL is a server-side
    cursor (DECLARE … WITH HOLD, FETCH, CLOSE): several round trips, for the
    handful of carriers a call offers."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


def carrier_label(carrier) -> str:
    """ "Lander", or "Yutu-2 (Rover)" when the name does not say what it is."""
    kind = CarrierKind(carrier.kind)
    with override("en"):
        english = str(kind.label)
    said = {str(kind.label).casefold(), english.casefold()}
    if any(word in carrier.name.casefold() for word in said):
        return carrier.name
    return f"{carrier.name} ({kind.label})"


def _allow_over_limit(field: forms.Field, limit: int) -> None:
    """Let a text over its limit reach the server, which refuses it with a message
    (the browser's maxlength would cut it without a word); show the limit."""
    field.max_length = None
    field.validators = [
        v for v in field.validators if not isinstance(v, MaxLengthValidator)
    ]
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs["data-limit"] = str(limit)


def _with_limit(help_text: str, limit: int) -> str:
    """The field's help text followed by its limit, in the current language."""
    limit_text = gettext("At most %(limit)s characters.") % {
        "limit": number_format(limit, force_grouping=True)
    }
    return f"{help_text} {limit_text}" if help_text else limit_text


@functools.cache
def _section_fields(section: str) -> dict[str, forms.Field]:
    """The fields of one section, built from the model once per process; each
    form takes a copy (as Django copies a form class's declared fields)."""
    names = SECTION_FIELDS[section]
    fields = forms.fields_for_model(Proposal, fields=names, widgets=_widgets(names))
    for name in names:
        field = fields[name]
        if name in FIGURES:
            fields[name] = FigureField(
                figure=name,
                label=field.label,
                required=False,
                help_text=field.help_text,
                widget=field.widget,
            )
        elif name in TEXT_LIMITS:
            _allow_over_limit(field, TEXT_LIMITS[name])
    if "carrier" in fields:
        fields["carrier"].iterator = FetchedChoiceIterator
        fields["carrier"].label_from_instance = carrier_label
        fields["carrier"].empty_label = _("Choose a carrier")
    return fields


def _shown(value):
    """A stored figure as a person writes it: 4.500 → 4.5."""
    return format_number(value) if isinstance(value, Decimal) else value


class SectionForm(forms.Form):
    """The fields of one section (proposals.services.SECTION_FIELDS), and the
    section's version the editor started from (`version`, hidden), which
    update_section compares to detect a save made meanwhile."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, data=None, *args, proposal: Proposal, section: str, **kwargs):
        self.section = section
        self.proposal = proposal
        names = SECTION_FIELDS[section]
        # A posted form shows and validates what was posted: the stored values
        # (and the section's version) are only the start of an unposted one, so
        # a save reads none of them before the service locks the proposal.
        initial = None
        if data is None:
            initial = {
                name: _shown(
                    getattr(proposal, "carrier_id" if name == "carrier" else name)
                )
                for name in names
            }
            initial["version"] = section_numbers(proposal)[section]
        super().__init__(data, *args, initial=initial, prefix=section, **kwargs)
        self.fields.update(copy.deepcopy(_section_fields(section)))
        for name in names:
            if name in TEXT_LIMITS:
                field = self.fields[name]
                field.help_text = _with_limit(field.help_text, TEXT_LIMITS[name])
        if "carrier" in self.fields:
            self.fields["carrier"].queryset = proposal.opportunity.carriers.all()

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                # Browsers send a line break as two characters; count it as one.
                cleaned[name] = value.replace("\r\n", "\n")
        return cleaned

    @property
    def label(self) -> str:
        return str(Section(self.section).label)

    @property
    def base_version(self) -> int | None:
        """The version the editor started from; None when the post had none."""
        return self.cleaned_data.get("version")

    def section_data(self) -> dict:
        """What update_section saves: the cleaned fields, the version aside."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in SECTION_FIELDS[self.section]
        }


@functools.cache
def _member_fields() -> dict[str, forms.Field]:
    """TeamMemberForm's fields, built from the model once per process."""
    return forms.fields_for_model(
        TeamMember,
        fields=MEMBER_FIELDS,
        widgets={
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            # The same list on every form: its options are written once per
            # language.
            "country": LongSelect(cache_as="countries"),
        },
    )


class TeamMemberForm(forms.Form):
    """A co-investigator or collaborator to invite."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "member")
        super().__init__(*args, **kwargs)
        self.fields.update(copy.deepcopy(_member_fields()))


class StatementsForm(forms.Form):
    statements = forms.TypedMultipleChoiceField(
        label=_("I accept, on behalf of the team:"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, proposal: Proposal, **kwargs):
        accepted = [a.statement_id for a in proposal.statement_acceptances.all()]
        super().__init__(
            *args, initial={"statements": accepted}, prefix="statements", **kwargs
        )
        self.fields["statements"].choices = [
            (statement.pk, statement.text)
            for statement in proposal.opportunity.statements.all()
        ]


class DocumentForm(forms.Form):
    """One PDF for one of the call's required documents."""

    # An empty file is refused by proposals.documents, with its own message.
    file = forms.FileField(
        label=_("PDF file"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, required_document, **kwargs):
        self.required_document = required_document
        super().__init__(*args, prefix=f"document-{required_document.pk}", **kwargs)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, sent to the team)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConfirmMembershipForm(forms.Form):
    institution = forms.CharField(
        label=_("Your institution"),
        max_length=255,
        help_text=_("Correct it if the principal investigator wrote it wrongly."),
    )


class DeclineLettersForm(forms.Form):
    """The note sent with declined letters of intent (admin action)."""

    note = forms.CharField(
        label=_("Note to the teams"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("Sent by email to each team whose letter is declined."),
    )

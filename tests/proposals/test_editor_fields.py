"""The editor's fields (proposals/templatetags/editor_fields.py) are written
in Python for speed; their markup must stay what crispy-forms' bootstrap5 pack
writes: the same elements, attributes, ids and texts, with and without errors,
in both languages."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.template import engines
from django.utils import translation

from proposals.forms import SectionForm, StatementsForm, TeamMemberForm
from tests.factories import CarrierFactory, ProposalFactory, StatementFactory

pytestmark = pytest.mark.django_db

CRISPY = "{% load crispy_forms_tags %}{{ form|crispy }}"
OURS = "{% load editor_fields %}{% editor_form form %}"


class _Markup(HTMLParser):
    """Elements with their attributes (in any order) and texts (whitespace
    collapsed; a textarea's kept as written)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items = []
        self.in_textarea = False

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, sorted(attrs)))
        self.in_textarea = tag == "textarea"

    def handle_endtag(self, tag):
        self.items.append(f"/{tag}")
        self.in_textarea = False

    def handle_data(self, data):
        if self.in_textarea:
            self.items.append(data.removeprefix("\n"))
        elif text := " ".join(data.split()):
            self.items.append(text)


def markup(template: str, form: forms.Form) -> list:
    parser = _Markup()
    parser.feed(engines["django"].from_string(template).render({"form": form}))
    return parser.items


def _forms():
    """Each form twice (crispy-forms changes the widgets it renders)."""
    proposal = ProposalFactory(title="Radon <monitor>")
    CarrierFactory(opportunity=proposal.opportunity)
    StatementFactory.create_batch(2, opportunity=proposal.opportunity)

    def summary_refused():
        form = SectionForm(
            {"summary-title": "x" * 250, "summary-abstract": "a & b\nc"},
            proposal=proposal,
            section="summary",
        )
        form.is_valid()
        form.add_error("title", "Too long <by 50>.")
        form.add_error(None, "Saved meanwhile.")
        return form

    def resources_refused():
        form = SectionForm(
            {"resources-carrier": "0", "resources-mass_kg": "-3"},
            proposal=proposal,
            section="resources",
        )
        form.is_valid()
        return form

    def member_refused():
        form = TeamMemberForm({"member-email": "not-an-email", "member-role": "x"})
        form.is_valid()
        return form

    def statements_refused():
        form = StatementsForm({"statements-statements": ["0"]}, proposal=proposal)
        form.is_valid()
        return form

    return {
        "payload": lambda: SectionForm(proposal=proposal, section="payload"),
        "resources": lambda: SectionForm(proposal=proposal, section="resources"),
        "summary refused": summary_refused,
        "resources refused": resources_refused,
        "member": TeamMemberForm,
        "member refused": member_refused,
        "statements": lambda: StatementsForm(proposal=proposal),
        "statements refused": statements_refused,
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_editor_fields_write_what_crispy_forms_writes(language):
    with translation.override(language):
        for name, make in _forms().items():
            ours = markup(OURS, make())

            assert ours == markup(CRISPY, make()), name


def test_editor_field_links_its_errors_and_help_for_screen_readers():
    proposal = ProposalFactory()
    form = SectionForm(
        {"summary-title": "x" * 250}, proposal=proposal, section="summary"
    )
    form.is_valid()
    form.add_error("title", "Too long.")

    items = markup("{% load editor_fields %}{% editor_field form.title %}", form)

    field = next(item[1] for item in items if item[0] == "input")
    assert ("aria-invalid", "true") in field
    assert (
        "aria-describedby",
        "id_summary-title_helptext id_summary-title_error",
    ) in field

"""The editor people can trust: figures that are not figures named with their
limit and unit, the carrier kept after a refused save, two saves of one section
from the same version (nothing overwritten, both texts shown, then a choice),
limits on texts enforced by the server, and "Saved at" with its zone."""

import html
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalogue.enums import CarrierKind
from proposals.models import Proposal, SectionVersion
from proposals.resources import FIGURES
from proposals.services import SectionConflict, update_section
from tests.factories import (
    CarrierFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(client):
    """A draft on a call with a Lander (10 kg, 30 W); its PI is signed in."""
    proposal = ProposalFactory(title="Radon monitor", abstract="First abstract.")
    CarrierFactory(opportunity=proposal.opportunity)
    client.force_login(proposal.principal_investigator)
    return proposal


def stored(proposal) -> Proposal:
    return Proposal.objects.get(pk=proposal.pk)


def text(response) -> str:
    return html.unescape(response.content.decode())


def check(client, proposal, **values):
    data = {f"resources-{name}": value for name, value in values.items()}
    return client.post(f"/proposals/{proposal.pk}/resources/check/", data, **HTMX)


def save(client, proposal, section, *, htmx=True, **values):
    data = {f"{section}-{name}": value for name, value in values.items()}
    headers = HTMX if htmx else {}
    return client.post(f"/proposals/{proposal.pk}/sections/{section}/", data, **headers)


# Figures that are not figures ------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        (
            "power_avg_w",
            "1e9",
            "Average power: 1,000,000,000 W is more than 9,999,999.9 W, the most "
            "this form accepts.",
        ),
        (
            "mass_kg",
            "-3",
            "Mass: -3 kg is below zero: enter a figure from 0 to 99,999.999 kg.",
        ),
        (
            "mass_kg",
            "about five",
            "Mass: “about five” is not a number: enter a figure in kg, from 0 to "
            "99,999.999.",
        ),
        (
            "data_mb_per_day",
            "Infinity",
            "Data volume: “Infinity” is not a number: enter a figure in MB per "
            "day, from 0 to 999,999,999.9.",
        ),
        (
            "mass_kg",
            "1.2345",
            "Mass: Give at most 3 decimal places (steps of 0.001 kg).",
        ),
        (
            "length_mm",
            "120.5",
            "Length: Enter a whole number of mm, without decimals.",
        ),
    ],
    ids=[
        "power-1e9",
        "mass-negative",
        "mass-words",
        "data-infinity",
        "mass-places",
        "length-decimals",
    ],
)
def test_live_check_names_an_invalid_figure_with_its_limit_and_unit(
    client, draft, field, typed, message
):
    carrier = draft.opportunity.carriers.get()

    page = text(check(client, draft, carrier=carrier.pk, **{field: typed}))

    findings = re.findall(r'resource-invalid">([^<]*)</div>', page)
    assert findings == [message]
    assert "Nothing you have entered exceeds this carrier's envelope." not in page
    assert "until then they cannot be checked against the envelope" in page


def test_live_check_names_every_invalid_figure_and_still_checks_the_rest(client, draft):
    carrier = draft.opportunity.carriers.get()

    page = text(
        check(
            client,
            draft,
            carrier=carrier.pk,
            mass_kg="-3",
            power_avg_w="1e9",
            data_mb_per_day="900",
        )
    )

    assert re.findall(r'resource-invalid">([^<]*)</div>', page) == [
        "Mass: -3 kg is below zero: enter a figure from 0 to 99,999.999 kg.",
        "Average power: 1,000,000,000 W is more than 9,999,999.9 W, the most this "
        "form accepts.",
    ]
    assert re.findall(r'resource-finding">([^<]*)</div>', page) == [
        f"The payload produces 900 MB per day; the {carrier} returns at most "
        "500 MB per day."
    ]


def test_live_check_without_a_carrier_still_names_the_invalid_figure(client, draft):
    page = text(check(client, draft, mass_kg="-3"))

    assert "Choose a carrier to see the resources it offers each payload." in page
    assert "Mass: -3 kg is below zero" in page


def test_live_check_keeps_its_live_region_and_swaps_only_its_body(client, draft):
    editor = client.get(f"/proposals/{draft.pk}/edit/").content.decode()

    assert (
        '<div id="resource-check" class="resource-check" aria-live="polite" '
        'aria-atomic="false"><div id="resource-check-body">'
    ) in editor
    assert 'hx-target="#resource-check" hx-select="#resource-check-body" ' in editor
    assert 'hx-swap="innerHTML"' in editor


def test_saving_1e9_watts_names_the_limit_and_the_unit(client, draft):
    response = save(client, draft, "resources", power_avg_w="1e9")

    page = text(response)
    assert (
        "1,000,000,000 W is more than 9,999,999.9 W, the most this form accepts."
        in (page)
    )
    assert "digits" not in page
    assert 'value="1e9"' in page
    assert stored(draft).power_avg_w is None


def test_service_refuses_a_figure_beyond_the_form_with_its_unit(draft):
    with pytest.raises(Exception) as refusal:  # noqa: PT011 — the message is checked
        update_section(
            proposal=draft,
            section="resources",
            data={"power_peak_w": Decimal("1e9")},
            actor=draft.principal_investigator,
        )

    assert refusal.value.message_dict == {
        "power_peak_w": [
            "1,000,000,000 W is more than 9,999,999.9 W, the most this form accepts."
        ]
    }


def test_figure_limits_are_what_the_columns_hold():
    for name, rule in FIGURES.items():
        column = Proposal._meta.get_field(name)
        if rule.places:
            assert (column.max_digits, column.decimal_places) == (
                len(str(rule.maximum).replace(".", "")),
                rule.places,
            ), name
        else:
            assert column.get_internal_type() == "PositiveIntegerField", name


# The carrier after a refused save -----------------------------------------------


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize(
    "values",
    [
        {"mass_kg": "-3"},  # refused by the form
        {"power_avg_w": "20", "power_peak_w": "10"},  # refused by the service
    ],
    ids=["form", "service"],
)
def test_refused_save_keeps_the_chosen_carrier_and_its_envelope(
    client, draft, htmx, values
):
    carrier = draft.opportunity.carriers.get()

    page = text(
        save(client, draft, "resources", htmx=htmx, carrier=carrier.pk, **values)
    )

    assert f'<option value="{carrier.pk}" selected>Lander</option>' in page
    assert "What the Lander offers one payload" in page
    assert "Choose a carrier to see the resources" not in page
    assert stored(draft).carrier is None


def test_carrier_list_names_a_carrier_once(client, draft):
    CarrierFactory(
        opportunity=draft.opportunity, kind=CarrierKind.ROVER, name_en="Yutu-3"
    )

    page = text(client.get(f"/proposals/{draft.pk}/edit/"))

    options = re.findall(r'<option value="\d+">([^<]*)</option>', page)
    assert options == ["Lander", "Yutu-3 (Rover)"]


# Two saves of one section from the same version -------------------------------


@pytest.fixture
def co_investigator(draft):
    user = UserFactory(full_name="Dr Luca Bianchi")
    TeamMemberFactory(proposal=draft, user=user, email=user.email, confirmed=True)
    return user


def test_second_save_from_the_same_version_is_refused_and_shows_both_texts(
    client, draft, co_investigator, monkeypatch
):
    pi = draft.principal_investigator
    first_at = datetime(2026, 5, 4, 7, 20, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: first_at)
    save(
        client,
        draft,
        "summary",
        title="Radon monitor",
        abstract="PI's text.",
        version="0",
    )
    client.force_login(co_investigator)

    response = save(
        client,
        draft,
        "summary",
        title="Radon monitor",
        abstract="Co-investigator's text.",
        version="0",
    )

    page = text(response)
    assert stored(draft).abstract == "PI's text."
    assert SectionVersion.objects.get(proposal=draft, section="summary").number == 1
    assert (
        f"{pi.get_full_name()} saved this section at 4 May 2026, 15:20 Beijing time "
        "(UTC+8), while you were editing it."
    ) in page
    assert ">\nCo-investigator's text.</textarea>" in page
    assert 'id="id_summary-abstract-saved" rows="4" readonly>PI&#x27;s text.' in (
        response.content.decode()
    )
    assert 'name="summary-version" value="1"' in page
    assert "Keep the version saved meanwhile" in page
    # The title is the same in both: only the abstract is shown twice.
    assert page.count('class="border-start border-3 border-warning') == 1


def test_after_a_conflict_keeping_mine_saves_it_from_the_new_version(
    client, draft, co_investigator
):
    save(client, draft, "summary", abstract="PI's text.", version="0")
    client.force_login(co_investigator)
    save(client, draft, "summary", abstract="Co-investigator's text.", version="0")

    response = save(
        client,
        draft,
        "summary",
        abstract="Co-investigator's text, merged with PI's.",
        version="1",
    )

    version = SectionVersion.objects.get(proposal=draft, section="summary")
    assert stored(draft).abstract == "Co-investigator's text, merged with PI's."
    assert (version.number, version.saved_by) == (2, co_investigator)
    assert "Saved at" in response.content.decode()


def test_after_a_conflict_keeping_theirs_saves_nothing(client, draft, co_investigator):
    save(client, draft, "summary", abstract="PI's text.", version="0")
    client.force_login(co_investigator)
    save(client, draft, "summary", abstract="Co-investigator's text.", version="0")

    response = save(
        client,
        draft,
        "summary",
        abstract="Co-investigator's text.",
        version="1",
        resolution="theirs",
    )

    page = text(response)
    assert stored(draft).abstract == "PI's text."
    assert SectionVersion.objects.get(proposal=draft, section="summary").number == 1
    assert ">\nPI's text.</textarea>" in page
    assert "The version saved meanwhile is kept" in page


def test_a_save_from_an_old_version_of_another_section_is_not_a_conflict(
    client, draft, co_investigator
):
    save(client, draft, "summary", abstract="PI's text.", version="0")
    client.force_login(co_investigator)

    save(client, draft, "funding", funding_statement="Our agency.", version="0")

    assert (stored(draft).abstract, stored(draft).funding_statement) == (
        "PI's text.",
        "Our agency.",
    )


def test_service_refuses_a_stale_version_with_what_is_stored(draft, co_investigator):
    update_section(
        proposal=draft,
        section="objectives",
        data={"objectives": "Saved first."},
        actor=draft.principal_investigator,
        base_version=0,
    )

    with pytest.raises(SectionConflict) as refusal:
        update_section(
            proposal=draft,
            section="objectives",
            data={"objectives": "Saved second."},
            actor=co_investigator,
            base_version=0,
        )

    assert refusal.value.number == 1
    assert refusal.value.current == {"objectives": "Saved first.", "relevance": ""}
    assert refusal.value.saved.saved_by == draft.principal_investigator
    assert stored(draft).objectives == "Saved first."


def test_each_save_counts_a_version_of_its_section(draft):
    for text_ in ("One.", "Two.", "Three."):
        update_section(
            proposal=draft,
            section="funding",
            data={"funding_statement": text_},
            actor=draft.principal_investigator,
        )

    assert list(
        SectionVersion.objects.filter(proposal=draft).values_list("section", "number")
    ) == [("funding", 3)]


# Limits on texts ----------------------------------------------------------------


def test_a_600_character_title_is_refused_with_a_message_and_kept(client, draft):
    title = "T" * 600

    response = save(client, draft, "summary", title=title, abstract="Kept too.")

    page = text(response)
    assert "This has 600 characters; at most 200 are accepted. Shorten it by 400." in (
        page
    )
    assert f'value="{title}"' in page
    assert stored(draft).title == "Radon monitor"


@pytest.mark.parametrize(
    ("section", "field", "limit"),
    [
        ("summary", "abstract", 3000),
        ("summary", "keywords", 300),
        ("objectives", "objectives", 8000),
    ],
)
def test_text_limits_are_enforced_on_the_server(client, draft, section, field, limit):
    at_limit = save(client, draft, section, **{field: "a" * limit})
    over = save(client, draft, section, **{field: "b" * (limit + 1)})

    assert "Saved at" in at_limit.content.decode()
    assert f"This has {limit + 1:,} characters; at most {limit:,} are accepted. " in (
        text(over)
    )
    assert getattr(stored(draft), field) == "a" * limit


def test_a_line_break_counts_as_one_character(client, draft):
    abstract = ("x" * 99 + "\r\n") * 30  # 3,000 characters once CRLF is one

    save(client, draft, "summary", abstract=abstract)

    assert stored(draft).abstract == abstract.replace("\r\n", "\n").strip()


def test_limited_fields_show_their_limit_and_no_maxlength(client, draft):
    page = client.get(f"/proposals/{draft.pk}/edit/").content.decode()

    summary = page.split('id="section-summary"')[1].split("</section>")[0]
    objectives = page.split('id="section-objectives"')[1].split("</section>")[0]
    assert "maxlength" not in summary + objectives
    assert re.search(r'name="summary-title"[^>]*data-limit="200"', page)
    assert re.search(r'name="summary-abstract"[^>]*data-limit="3000"', page)
    assert re.search(r'name="objectives-objectives"[^>]*data-limit="8000"', page)
    assert "At most 3,000 characters." in page


# "Saved at" ------------------------------------------------------------------------


def test_saved_at_names_beijing_time_and_carries_the_moment(client, draft, monkeypatch):
    moment = datetime(2026, 5, 4, 7, 20, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    response = save(client, draft, "funding", funding_statement="Funded.")

    page = response.content.decode()
    assert (
        '<span class="small text-success-emphasis saved-at" id="section-funding-saved">'
        "Saved at 15:20 Beijing time (UTC+8)"
        '<span class="saved-local" hidden> · your time: '
        '<time datetime="2026-05-04T07:20:00Z" data-clock>4 May 2026, 07:20 UTC</time>'
        "</span></span>"
    ) in page


def test_conflict_without_htmx_shows_both_texts_in_that_section_only(
    client, draft, co_investigator
):
    save(client, draft, "summary", abstract="PI's text.", version="0")
    client.force_login(co_investigator)

    response = save(
        client, draft, "summary", htmx=False, abstract="Co-I's text.", version="0"
    )

    page = text(response)
    assert page.count('data-conflict="true"') == 1
    assert 'id="section-summary-conflict"' in page
    assert ">\nCo-I's text.</textarea>" in page
    assert page.count("Save the text in the fields") == 1
    assert stored(draft).abstract == "PI's text."

"""The seed commands: the real catalogue (seed_catalogue) and the demo (seed_demo)."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from accounts.models import User
from catalogue.enums import OpportunityStatus
from catalogue.models import (
    Carrier,
    Contact,
    CooperationTable,
    EvaluationCriterion,
    Mission,
    Opportunity,
    RequiredDocument,
    Statement,
)
from catalogue.seed.demo_calls import demo_call_specs
from tests.factories import CarrierFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

SECRET = "AOPORTALDEMOTOTPSECRETCNSAILRSXX"
PASSWORD = "ao-portal-demo-2026"
DEMO_EMAILS = [
    "admin@example.org",
    "reviewer1@example.org",
    "reviewer2@example.org",
    "researcher1@example.org",
    "researcher2@example.org",
]
CATALOGUE_MODELS = [
    Mission,
    Contact,
    Opportunity,
    Carrier,
    EvaluationCriterion,
    RequiredDocument,
    Statement,
    CooperationTable,
]


def _run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def _snapshot() -> dict:
    """Every row count, history count, timestamp and secret a rerun could change."""
    return {
        "counts": {model.__name__: model.objects.count() for model in CATALOGUE_MODELS},
        "history": (Mission.history.count(), Opportunity.history.count()),
        "updated": sorted(Opportunity.objects.values_list("slug", "updated_at")),
        "users": sorted(User.objects.values_list("email", "password", "last_login")),
        "emails": EmailAddress.objects.count(),
        "authenticators": sorted(Authenticator.objects.values_list("pk", "user_id")),
        "contacts": Opportunity.contacts.through.objects.count(),
    }


def _call(slug: str) -> Opportunity:
    return Opportunity.objects.get(slug=slug)


# --- seed_catalogue -------------------------------------------------------------


def test_seed_catalogue_loads_missions_calls_and_tables():
    _run("seed_catalogue")

    assert sorted(Mission.objects.values_list("code", flat=True)) == sorted(
        ["CE6", "CE7", "CE8", "TW2", "TW3", "TW4", "CSS", "ILRS"]
    )
    assert Opportunity.objects.count() == 6
    assert CooperationTable.objects.count() == 9
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "dongsh@cnsa.gov.cn",
        "gany@cnsa.gov.cn",
    ]


def test_seed_catalogue_twice_changes_nothing():
    _run("seed_catalogue")
    before = _snapshot()

    output = _run("seed_catalogue")

    assert _snapshot() == before
    assert "Catalogue seed already up to date." in output


def test_seed_catalogue_restores_edited_seed_rows_and_keeps_others():
    _run("seed_catalogue")
    orbiter = Carrier.objects.get(
        opportunity__slug="chang-e-7-payloads-2022", kind="orbiter"
    )
    orbiter.total_mass_kg = Decimal(99)
    orbiter.save()
    Mission.objects.filter(code="CE6").update(name_en="Edited")
    extra_call = OpportunityFactory(slug="admin-added-call")
    extra_carrier = CarrierFactory(
        opportunity=_call("chang-e-7-payloads-2022"), kind="rover"
    )

    _run("seed_catalogue")

    orbiter.refresh_from_db()
    assert orbiter.total_mass_kg == Decimal(15)
    assert Mission.objects.get(code="CE6").name_en == "Chang'E-6"
    assert Opportunity.objects.filter(pk=extra_call.pk).exists()
    assert Carrier.objects.filter(pk=extra_carrier.pk).exists()


@pytest.mark.parametrize(
    ("slug", "kind", "total_kg", "per_payload_kg"),
    [
        ("chang-e-6-payloads-2019", "lander", 10, None),
        ("chang-e-6-payloads-2019", "orbiter", 10, None),
        ("chang-e-7-payloads-2022", "lander", 10, None),
        ("chang-e-7-payloads-2022", "orbiter", 15, None),
        ("chang-e-8-payloads-2023", "lander", 200, 100),
        ("tianwen-3-payloads-2025", "orbiter", 15, None),
        ("tianwen-3-payloads-2025", "service_module", 5, None),
    ],
)
def test_seed_catalogue_carriers_offer_the_real_masses(
    slug, kind, total_kg, per_payload_kg
):
    _run("seed_catalogue")

    carrier = Carrier.objects.get(opportunity__slug=slug, kind=kind)

    assert carrier.total_mass_kg == Decimal(total_kg)
    assert carrier.max_payload_mass_kg == (
        None if per_payload_kg is None else Decimal(per_payload_kg)
    )


@pytest.mark.parametrize(
    ("slug", "received", "shortlisted", "selected"),
    [
        ("chang-e-6-payloads-2019", 20, None, 4),
        ("chang-e-7-payloads-2022", 18, None, 6),
        ("chang-e-8-payloads-2023", 41, 14, 10),
        ("css-experiments-unoosa-2018", 42, 18, 9),
        ("tianwen-2-payloads-2019", None, None, None),
    ],
)
def test_seed_catalogue_records_the_real_outcomes(
    slug, received, shortlisted, selected
):
    _run("seed_catalogue")

    call = _call(slug)

    assert (
        call.proposals_received,
        call.proposals_shortlisted,
        call.proposals_selected,
    ) == (received, shortlisted, selected)


def test_seed_catalogue_outcomes_name_the_chosen_payloads():
    _run("seed_catalogue")

    ce6 = _call("chang-e-6-payloads-2019").outcome_en
    tw2 = _call("tianwen-2-payloads-2019").outcome_en

    assert [
        name in ce6 for name in ("More than 20", "DORN", "NILS", "INRRI", "ICUBE-Q")
    ] == [True] * 5
    assert tw2.startswith("No foreign payload is known to have been selected")


def test_seed_catalogue_deadlines_are_2359_beijing_time():
    _run("seed_catalogue")

    ce6 = _call("chang-e-6-payloads-2019")
    ce7 = _call("chang-e-7-payloads-2022")

    assert ce6.proposal_deadline == datetime(2019, 8, 31, 15, 59, tzinfo=UTC)
    assert ce6.opens_at == datetime(2019, 4, 17, 16, 0, tzinfo=UTC)
    assert ce7.loi_deadline == datetime(2023, 2, 1, 15, 59, tzinfo=UTC)
    assert ce7.shortlist_date == date(2023, 4, 30)


def test_seed_catalogue_tianwen_3_requires_a_chinese_lead_and_five_entities():
    _run("seed_catalogue")

    tw3 = _call("tianwen-3-payloads-2025")

    assert (tw3.lead_country.code, tw3.max_entities) == ("CN", 5)
    assert tw3.expected_selection == date(2025, 10, 31)


def test_seed_catalogue_unpublished_masses_are_zero_and_say_so():
    _run("seed_catalogue")

    carriers = Carrier.objects.filter(
        opportunity__slug__in=["tianwen-2-payloads-2019", "css-experiments-unoosa-2018"]
    )

    assert sorted(carriers.values_list("kind", flat=True)) == [
        "exposed_platform",
        "other",
        "station_rack",
    ]
    assert {c.total_mass_kg for c in carriers} == {None}
    assert all("Mass not published" in c.notes_en for c in carriers)


def test_seed_catalogue_historical_calls_are_decided_not_demo_not_open():
    _run("seed_catalogue")

    calls = list(Opportunity.objects.all())

    assert {call.status for call in calls} == {OpportunityStatus.DECIDED}
    assert [call.is_demo for call in calls] == [False] * 6
    assert [call.is_open for call in calls] == [False] * 6


def test_seed_catalogue_criteria_weigh_100_and_css_weighs_capacity_building():
    _run("seed_catalogue")

    totals = {
        call.slug: sum(c.weight for c in call.criteria.all())
        for call in Opportunity.objects.prefetch_related("criteria")
    }
    css_criteria = list(
        _call("css-experiments-unoosa-2018").criteria.values_list("name_en", flat=True)
    )

    assert set(totals.values()) == {Decimal(100)}
    assert css_criteria[-1] == "Capacity building for developing countries"


def test_seed_catalogue_puts_both_contacts_on_every_call():
    _run("seed_catalogue")

    contact_sets = {
        frozenset(call.contacts.values_list("email", flat=True))
        for call in Opportunity.objects.all()
    }

    assert contact_sets == {frozenset({"gany@cnsa.gov.cn", "dongsh@cnsa.gov.cn"})}


def test_seed_catalogue_reads_in_chinese():
    _run("seed_catalogue")

    with translation.override("zh-hans"):
        names = {m.code: m.name for m in Mission.objects.all()}
        table = CooperationTable.objects.get(slug="space-science-levels")
        columns = table.columns

    assert (names["CE6"], names["TW2"], names["CSS"], names["ILRS"]) == (
        "嫦娥六号",
        "天问二号",
        "中国空间站",
        "国际月球科研站",
    )
    assert columns == ["领域", "任务方向", "系统", "分系统", "设备", "应用"]


def test_seed_catalogue_table_rows_match_their_columns_in_both_languages():
    _run("seed_catalogue")

    mismatched = [
        (table.slug, language, row)
        for table in CooperationTable.objects.all()
        for language, columns, rows in (
            ("en", table.columns_en, table.rows_en),
            ("zh-hans", table.columns_zh_hans, table.rows_zh_hans),
        )
        for row in rows
        if len(row) != len(columns)
    ]
    empty = CooperationTable.objects.filter(rows_zh_hans=[]).count()

    assert mismatched == []
    assert empty == 0


def test_seed_catalogue_resolution_limits_are_the_presentation_figures():
    _run("seed_catalogue")

    rows = CooperationTable.objects.get(slug="remote-sensing-resolution-limits").rows_en

    assert [row[:2] for row in rows] == [
        ["Panchromatic", "0.5 m"],
        ["Multispectral", "2.0 m"],
        ["Microwave image", "1.0 m"],
    ]


# --- seed_demo ------------------------------------------------------------------


def test_seed_demo_replaces_another_totp_authenticator():
    _run("seed_demo")
    reviewer = User.objects.get(email="reviewer1@example.org")
    Authenticator.objects.filter(user=reviewer).delete()
    TOTP.activate(reviewer, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

    _run("seed_demo")

    authenticator = Authenticator.objects.get(user=reviewer, type="totp")
    assert decrypt(authenticator.data["secret"]) == SECRET


def test_seed_demo_loads_the_catalogue_when_missing():
    _run("seed_demo")

    assert Mission.objects.count() == 8
    assert Opportunity.objects.filter(is_demo=False).count() == 6


NOT_OPEN_DEMOS = [
    "demo-chang-e-8-payloads-in-review",
    "demo-chang-e-7-payloads-after-selection",
    "demo-chang-e-6-payloads-flown",
]


def test_seed_demo_calls_say_they_are_demonstrations():
    _run("seed_demo")

    demos = Opportunity.objects.filter(is_demo=True)

    assert all("(demonstration)" in call.title_en for call in demos)
    assert all("（演示）" in call.title_zh_hans for call in demos)
    assert all("illustrative" in call.description_en for call in demos)


def test_seed_demo_twice_changes_nothing():
    _run("seed_demo")
    before = _snapshot()

    _run("seed_demo")

    assert _snapshot() == before


def test_seed_demo_rerun_moves_the_dates_to_follow_today():
    _run("seed_demo")
    Opportunity.objects.filter(is_demo=True).update(
        opens_at=datetime(2020, 1, 1, tzinfo=UTC),
        loi_deadline=None,
        proposal_deadline=datetime(2020, 2, 1, tzinfo=UTC),
    )

    _run("seed_demo")

    # The calls still open follow today (the decided ones keep their history;
    # the flown one its real dates).
    opens = set(
        Opportunity.objects.filter(is_demo=True)
        .exclude(slug__in=NOT_OPEN_DEMOS)
        .values_list("opens_at", flat=True)
    )
    assert {timezone.localtime(moment).date() for moment in opens} == {
        timezone.localdate() - timedelta(days=14)
    }
    assert (
        Opportunity.objects.filter(is_demo=True, loi_deadline__isnull=False).count()
        == 1
    )


def test_demo_call_specs_follow_the_given_day():
    specs = demo_call_specs(date(2030, 3, 15))

    opens = {spec["opportunity"]["opens_at"].date() for spec in specs}
    first_deadline = specs[0]["opportunity"]["proposal_deadline"]

    assert opens == {date(2030, 3, 1)}
    assert (first_deadline.date(), first_deadline.hour, first_deadline.minute) == (
        date(2030, 4, 26),
        23,
        59,
    )


def test_seed_demo_refuses_when_demo_data_is_not_allowed(settings):
    settings.DEMO_SEED_ALLOWED = False

    with pytest.raises(CommandError, match="DEMO_SEED_ALLOWED"):
        call_command("seed_demo", stdout=io.StringIO())

    assert User.objects.filter(email__in=DEMO_EMAILS).count() == 0
    assert Mission.objects.count() == 0

"""What the demonstration calls after selection say: the two decided calls,
their milestone templates and the proposals that become their payloads. Read
by payloads.seed.demo, which plays them through the services."""

from datetime import date, timedelta
from decimal import Decimal

from catalogue.enums import CarrierKind
from catalogue.seed.calls import criteria
from catalogue.seed.demo_calls import (
    DEMO_NOTE_EN,
    DEMO_NOTE_ZH,
    DEMO_STATEMENTS,
    _carrier,
    _published,
    demo_documents,
)
from catalogue.seed.upsert import beijing, tr
from payloads.enums import MilestoneKind, Side
from proposals.seed import DemoProposal

RESEARCHER1 = "researcher1@example.org"

AFTER_SELECTION_SLUG = "demo-chang-e-7-payloads-after-selection"
FLOWN_SLUG = "demo-chang-e-6-payloads-flown"


def _proposal(title, abstract, keywords, carrier, resources, *, co_investigators=()):
    return DemoProposal(
        title=title,
        abstract=abstract,
        keywords=keywords,
        objectives=f"{abstract} Results published within a year of landing.",
        relevance="Surveys the environment of a future lunar research station.",
        payload=f"{title}: flight model derived from the team's prototype.",
        trl=6,
        carrier=carrier,
        resources=resources,
        co_investigators=co_investigators,
    )


CONDITIONAL = _proposal(
    "Lunar south pole dust and radon monitor",
    "Measures lofted dust and the radon released by the regolith at the south "
    "pole, through the lunar day and night.",
    "lunar dust, radon, exosphere",
    CarrierKind.LANDER,
    (Decimal("3.5"), 8, 14, 60, (200, 150, 120)),
)
CONDITIONS = (
    "1. Deliver the thermal vacuum test report of the qualification model.\n"
    "2. Show that the sensor head's dust cover opens after landing, with a test "
    "under vacuum."
)
CONDITION_ANSWER = (
    "The qualification model passed eight thermal vacuum cycles from -40 °C to "
    "+70 °C; the report is attached."
)

SELECTED = _proposal(
    "Ground-penetrating radar for south pole ice",
    "Sounds the first 30 m under the lander to find layers of buried ice.",
    "ground-penetrating radar, water ice, regolith layers",
    CarrierKind.LANDER,
    (Decimal("4.0"), 12, 20, 150, (250, 200, 150)),
    co_investigators=(RESEARCHER1,),
)
# The qualification model weighs 4.6 kg against 4 kg allocated: an overrun.
QM_MASS = Decimal("4.600")

DESELECTED = _proposal(
    "Polar orbit neutral mass spectrometer",
    "Measures the exosphere's water and argon from the orbiter over the poles.",
    "exosphere, mass spectrometry, volatiles",
    CarrierKind.ORBITER,
    (Decimal("7.5"), 20, 30, 400, (380, 280, 240)),
)
DESELECTED_CONDITIONS = (
    "1. Reduce the instrument's mass to 6 kg, the orbiter's share left for it."
)
DESELECTED_ANSWER = (
    "A lighter housing brings the mass to 7.2 kg; we cannot reach 6 kg without "
    "losing the second sensor head."
)

FLOWN = _proposal(
    "Far-side regolith thermal probe",
    "Follows the temperature of the regolith's first metre through lunar days "
    "and nights at the far-side landing site.",
    "regolith, thermal conductivity, heat flow",
    CarrierKind.LANDER,
    (Decimal("2.5"), 6, 10, 20, (200, 150, 100)),
)


def after_selection_spec(today: date) -> dict:
    """Decided five months ago; the launch is eight months ahead."""
    return {
        "slug": AFTER_SELECTION_SLUG,
        "mission": "chang-e-7",
        "opportunity": _published(
            today,
            deadline_in=-200,
            opens_at=beijing(today - timedelta(days=290)),
            published_at=beijing(today - timedelta(days=290)),
            expected_selection=today - timedelta(days=150),
            **tr(
                "title",
                "Chang'E-7 payloads, after selection (demonstration)",
                "嫦娥七号载荷，遴选之后（演示）",
            ),
            **tr(
                "summary",
                "A decided call whose payloads are on their way to flight: "
                "conditions, agreements, milestones and deliveries. "
                "(demonstration)",
                "已完成遴选的公告，其载荷正在研制中：条件、协议、里程碑与交付。"
                "（演示）",
            ),
            **tr(
                "description",
                DEMO_NOTE_EN + " The real Chang'E-7 call selected 6 payloads from "
                "7 partners, announced on 24 April 2024.",
                DEMO_NOTE_ZH + "真实的嫦娥七号公告遴选了来自7个合作方的6台载荷，"
                "于2024年4月24日公布。",
            ),
            **tr("science_areas", "Lunar and planetary science", "月球与行星科学"),
        ),
        "carriers": [
            _carrier(
                CarrierKind.LANDER,
                tr("name", "Lander", "着陆器"),
                (10, 5, 25, 200, "300 × 200 × 200"),
            ),
            _carrier(
                CarrierKind.ORBITER,
                tr("name", "Orbiter", "轨道器"),
                (15, 8, 40, 1000, "400 × 300 × 250"),
            ),
        ],
        "criteria": criteria(),
        "documents": demo_documents(with_loi=False),
        "statements": DEMO_STATEMENTS,
    }


def after_selection_milestones(today: date) -> list[tuple]:
    day = lambda offset: today + timedelta(days=offset)  # noqa: E731
    return [
        (MilestoneKind.PDR, "Preliminary design review", day(-90), Side.JOINT),
        (MilestoneKind.CDR, "Critical design review", day(-30), Side.JOINT),
        (
            MilestoneKind.QM_DELIVERY,
            "Qualification model delivery",
            day(-10),
            Side.TEAM,
        ),
        (MilestoneKind.FM_DELIVERY, "Flight model delivery", day(60), Side.TEAM),
        (MilestoneKind.INTEGRATION, "Integration on the carrier", day(120), Side.CNSA),
        (MilestoneKind.LAUNCH, "Launch", day(240), Side.CNSA),
        (MilestoneKind.LANDING, "Landing or separation", day(245), Side.CNSA),
        (MilestoneKind.DATA_HANDOVER, "First data handover", day(275), Side.JOINT),
    ]


# The flown call keeps the real mission's launch and landing; the rest is
# invented for the demonstration, and its description says so.
FLOWN_DEADLINE = date(2019, 8, 31)
FLOWN_RELEASE = date(2020, 3, 31)
FLOWN_SIGNED = date(2020, 7, 1)
FLOWN_HANDOVER = date(2024, 7, 2)
FLOWN_MILESTONES = [
    (MilestoneKind.PDR, "Preliminary design review", date(2020, 9, 15), Side.JOINT),
    (MilestoneKind.CDR, "Critical design review", date(2021, 6, 15), Side.JOINT),
    (
        MilestoneKind.QM_DELIVERY,
        "Qualification model delivery",
        date(2022, 3, 1),
        Side.TEAM,
    ),
    (MilestoneKind.FM_DELIVERY, "Flight model delivery", date(2023, 3, 1), Side.TEAM),
    (
        MilestoneKind.INTEGRATION,
        "Integration on the lander",
        date(2023, 6, 1),
        Side.CNSA,
    ),
    (MilestoneKind.LAUNCH, "Launch", date(2024, 5, 3), Side.CNSA),
    (MilestoneKind.LANDING, "Landing", date(2024, 6, 2), Side.CNSA),
    (MilestoneKind.DATA_HANDOVER, "First data handover", date(2024, 7, 2), Side.JOINT),
]


def flown_spec() -> dict:
    opens = date(2019, 4, 18)
    return {
        "slug": FLOWN_SLUG,
        "mission": "chang-e-6",
        "opportunity": _published(
            opens,
            deadline_in=(FLOWN_DEADLINE - opens).days,
            opens_at=beijing(opens),
            published_at=beijing(opens),
            expected_selection=FLOWN_RELEASE,
            **tr(
                "title",
                "Chang'E-6 payloads, flown (demonstration)",
                "嫦娥六号载荷，已飞行（演示）",
            ),
            **tr(
                "summary",
                "A decided call whose payload flew and returned its data. "
                "(demonstration)",
                "已完成遴选的公告，其载荷已飞行并交付数据。（演示）",
            ),
            **tr(
                "description",
                DEMO_NOTE_EN + " Only the launch (3 May 2024) and the landing "
                "(2 June 2024) are the real Chang'E-6 mission's; its real payloads "
                "were DORN, NILS, INRRI and ICUBE-Q.",
                DEMO_NOTE_ZH + "只有发射（2024年5月3日）和着陆（2024年6月2日）"
                "是真实嫦娥六号任务的日期；其真实的国际载荷为DORN、NILS、INRRI"
                "和ICUBE-Q。",
            ),
            **tr("science_areas", "Lunar and planetary science", "月球与行星科学"),
        ),
        "carriers": [
            _carrier(
                CarrierKind.LANDER,
                tr("name", "Lander", "着陆器"),
                (10, 5, 20, 100, "250 × 200 × 150"),
            ),
        ],
        "criteria": criteria(),
        "documents": demo_documents(with_loi=False),
        "statements": DEMO_STATEMENTS,
    }

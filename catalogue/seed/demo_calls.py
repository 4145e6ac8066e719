"""The demonstration calls: open now, dates following today, marked as
demonstrations in both languages. Run by the `seed_demo` step list (demo.py).

Their contact is a demonstration address (DEMO_CONTACT), never the real CNSA
contacts: trying the portal sends "proposal submitted" and review emails to the
call's contacts. `demo_review_call_spec` is one more demonstration call, whose
deadline has passed: reviews.seed loads it, fills it and closes it.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.enums import (
    CarrierKind,
    ContactLanguage,
    CooperationLevel,
    OpportunityKind,
    OpportunityStatus,
    ResourcePolicy,
)
from catalogue.models import Contact, Mission
from catalogue.seed.calls import criteria
from catalogue.seed.loading import load_call
from catalogue.seed.missions import CONTACTS, DEPARTMENT
from catalogue.seed.upsert import (
    SeedReport,
    beijing,
    beijing_end_of_day,
    sync_row,
    tr,
)

# Emails about demonstration proposals go here, not to the real CNSA contacts.
DEMO_CONTACT = {
    "email": "contact@example.org",
    "name": "Demo contact — International Cooperation",
    "department": DEPARTMENT + " (demonstration)",
    "phone": "",
    # Written to in English, the real contacts in Chinese: the seed shows both.
    "preferred_language": ContactLanguage.EN,
}
REVIEW_CALL_SLUG = "demo-chang-e-8-payloads-in-review"

DEMO_NOTE_EN = (
    "This is an illustrative call created for trying the portal. It is not a real "
    "CNSA announcement: its dates, resource envelopes and rules are invented for "
    "the demonstration."
)
DEMO_NOTE_ZH = (
    "这是为试用本门户而创建的示例公告，并非国家航天局的真实公告："
    "其日期、资源包络和规则均为演示而设。"
)

DEMO_ELIGIBILITY = tr(
    "eligibility",
    "For this demonstration, any researcher with a verified account may propose; a "
    "team may bring together institutions from several countries. Carriage is "
    "free; partners fund their own payload and share its data.",
    "在本演示中，任何已验证账户的研究人员均可提交建议书；团队可由多个国家的机构组成。"
    "搭载免费；合作方自行承担载荷研制费用并共享数据。",
)


def demo_documents(*, with_loi: bool) -> list[dict]:
    documents = []
    if with_loi:
        documents.append(
            {
                "stage": "loi",
                **tr("name", "Letter of intent", "意向书"),
                **tr(
                    "description",
                    "The team, the payload concept and the resources it needs.",
                    "团队、载荷概念及所需资源。",
                ),
                "page_limit": 3,
                "max_size_mb": 10,
            }
        )
    documents += [
        {
            "stage": "full",
            **tr("name", "Full proposal", "完整建议书"),
            **tr(
                "description",
                "Science case, payload description, team, schedule and funding.",
                "科学目标、载荷描述、团队、进度与经费。",
            ),
            "page_limit": 20,
        },
        {
            "stage": "full",
            **tr("name", "Technical annex", "技术附件"),
            **tr(
                "description",
                "Payload design and interfaces; mass, power and data budgets; "
                "environmental test plan.",
                "载荷设计与接口；质量、功耗和数据预算；环境试验计划。",
            ),
            "page_limit": 15,
        },
        {
            "stage": "full",
            **tr(
                "name",
                "Endorsement letter from the national space agency",
                "本国国家航天机构的支持函",
            ),
            **tr(
                "description",
                "A letter from the space agency of the lead institution's country "
                "supporting the proposal.",
                "牵头机构所在国国家航天机构支持该建议书的信函。",
            ),
            "page_limit": 2,
            "max_size_mb": 5,
        },
    ]
    return documents


DEMO_STATEMENTS: list[dict] = [
    tr(
        "text",
        "Our team funds the development of its own payload and its delivery to "
        "China; carriage on the mission is free of charge.",
        "我方团队自行承担载荷研制及运抵中国的费用；任务搭载免费。",
    ),
    tr(
        "text",
        "We agree to share the payload's scientific data with CNSA and the Chinese "
        "science community.",
        "我方同意与国家航天局及中国科学界共享载荷科学数据。",
    ),
    tr(
        "text",
        "We will comply with the export-control rules of our own country and of "
        "China, and obtain any licence needed.",
        "我方将遵守本国和中国的出口管制规定，并取得所需许可。",
    ),
]


def _carrier(kind: str, name: dict, envelope: tuple) -> dict:
    """A carrier from its envelope: (total kg, kg per payload, W, MB/day, size)."""
    mass, per_payload, power, data, size = envelope
    return {
        "kind": kind,
        **name,
        "total_mass_kg": Decimal(mass),
        "max_payload_mass_kg": Decimal(per_payload),
        "power_w": Decimal(power),
        "data_mb_per_day": Decimal(data),
        "max_size_mm": size,
        **tr("notes", "Illustrative envelope.", "示例资源包络。"),
    }


def _published(today: date, *, deadline_in: int, **values) -> dict:
    """A demonstration call, open since 14 days ago.

    The status is written directly, not through catalogue.workflow: this is
    illustrative data, and publishing through the workflow would email the real
    CNSA contacts about a call that does not exist.
    """
    opens_at = beijing(today - timedelta(days=14))
    deadline = today + timedelta(days=deadline_in)
    return {
        "status": OpportunityStatus.PUBLISHED,
        "is_demo": True,
        "opens_at": opens_at,
        "published_at": opens_at,
        "proposal_deadline": beijing_end_of_day(deadline),
        "loi_deadline": None,
        "shortlist_date": None,
        "expected_selection": deadline + timedelta(days=90),
        "cooperation_level": CooperationLevel.EQUIPMENT,
        "kind": OpportunityKind.FLIGHT_PAYLOAD,
        "reviewers_per_proposal": 2,
        "dual_anonymous": False,
        "resource_policy": ResourcePolicy.BLOCK,
        "max_entities": None,
        "lead_country": "",
        "proposals_received": None,
        "proposals_shortlisted": None,
        "proposals_selected": None,
        **tr("outcome", "", ""),
        **DEMO_ELIGIBILITY,
        **values,
    }


def demo_call_specs(today: date) -> list[dict]:
    """The demonstration calls, dated from `today` (Beijing date)."""
    lunar = tr("science_areas", "Lunar and planetary science", "月球与行星科学")
    css_loi = today + timedelta(days=21)
    return [
        {
            "slug": "demo-chang-e-6-payloads",
            "mission": "chang-e-6",
            "opportunity": _published(
                today,
                deadline_in=42,
                **tr(
                    "title",
                    "Chang'E-6 payloads (demonstration)",
                    "嫦娥六号载荷（演示）",
                ),
                **tr(
                    "summary",
                    "Places for international payloads on a Chang'E-6-class lander "
                    "and orbiter. (demonstration)",
                    "嫦娥六号类着陆器和轨道器的国际载荷搭载机会。（演示）",
                ),
                **tr(
                    "description",
                    DEMO_NOTE_EN + " The real Chang'E-6 call closed on 31 August "
                    "2019 and the mission flew in 2024.",
                    DEMO_NOTE_ZH + "真实的嫦娥六号载荷公告已于2019年8月31日截止，"
                    "该任务已于2024年飞行。",
                ),
                **lunar,
            ),
            "carriers": [
                _carrier(
                    CarrierKind.LANDER,
                    tr("name", "Lander", "着陆器"),
                    (10, 5, 20, 100, "250 × 200 × 150"),
                ),
                _carrier(
                    CarrierKind.ORBITER,
                    tr("name", "Orbiter", "轨道器"),
                    (10, 7, 30, 500, "400 × 300 × 300"),
                ),
            ],
            "criteria": criteria(),
            "documents": demo_documents(with_loi=False),
            "statements": DEMO_STATEMENTS,
        },
        {
            "slug": "demo-chang-e-7-payloads",
            "mission": "chang-e-7",
            "opportunity": _published(
                today,
                deadline_in=56,
                **tr(
                    "title",
                    "Chang'E-7 payloads (demonstration)",
                    "嫦娥七号载荷（演示）",
                ),
                **tr(
                    "summary",
                    "Payloads for the resources and environment survey of the "
                    "lunar south pole, on the lander and the orbiter. "
                    "(demonstration)",
                    "面向月球南极资源与环境勘察的着陆器和轨道器载荷。（演示）",
                ),
                **tr(
                    "description",
                    DEMO_NOTE_EN + " The real Chang'E-7 call had a letter-of-intent "
                    "stage and was decided in 2023; this one goes straight to full "
                    "proposals, and a request beyond a carrier's envelope cannot be "
                    "submitted.",
                    DEMO_NOTE_ZH
                    + "真实的嫦娥七号公告设有意向书阶段，并已于2023年完成遴选；"
                    "本演示直接提交完整建议书，超出搭载平台资源包络的申请无法提交。",
                ),
                **lunar,
                resource_policy=ResourcePolicy.BLOCK,
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
        },
        {
            "slug": "demo-tianwen-2-payloads",
            "mission": "tianwen-2",
            "opportunity": _published(
                today,
                deadline_in=70,
                **tr(
                    "title",
                    "Tianwen-2 payloads (demonstration)",
                    "天问二号载荷（演示）",
                ),
                **tr(
                    "summary",
                    "Instruments for an asteroid sample-return probe, co-developed "
                    "by teams of at most 5 entities; reviewed dual-anonymously. "
                    "(demonstration)",
                    "小行星采样返回探测器的科学仪器，每个团队不超过5家单位；"
                    "采用双盲评审。（演示）",
                ),
                **tr(
                    "description",
                    DEMO_NOTE_EN + " The real Tianwen-2 call closed on 31 August "
                    "2019 without a published mass allocation. Here a request "
                    "beyond the envelope only warns.",
                    DEMO_NOTE_ZH
                    + "真实的天问二号公告已于2019年8月31日截止，未公布质量分配。"
                    "本演示中，超出资源包络的申请只会收到提醒。",
                ),
                **tr(
                    "science_areas",
                    "Small bodies: asteroids and comets",
                    "小天体：小行星与彗星",
                ),
                max_entities=5,
                dual_anonymous=True,
                resource_policy=ResourcePolicy.WARN,
            ),
            "carriers": [
                _carrier(
                    CarrierKind.OTHER,
                    tr("name", "Tianwen-2 probe", "天问二号探测器"),
                    (12, 6, 30, 300, "300 × 250 × 200"),
                ),
            ],
            "criteria": criteria(),
            "documents": demo_documents(with_loi=False),
            "statements": DEMO_STATEMENTS,
        },
        {
            "slug": "demo-china-space-station-experiments",
            "mission": "china-space-station",
            "opportunity": _published(
                today,
                deadline_in=91,
                **tr(
                    "title",
                    "China Space Station experiments (demonstration)",
                    "中国空间站科学实验（演示）",
                ),
                **tr(
                    "summary",
                    "Experiments inside the station or on its exposed platform; a "
                    "letter of intent comes first, and shortlisted teams submit the "
                    "full proposal. (demonstration)",
                    "在空间站舱内或舱外暴露平台开展实验；先提交意向书，入围团队再提交"
                    "完整建议书。（演示）",
                ),
                **tr(
                    "description",
                    DEMO_NOTE_EN + " Capacity building for developing countries is "
                    "one of its criteria, as in the first call run with UNOOSA in "
                    "2018.",
                    DEMO_NOTE_ZH + "与2018年和联合国外空司合作的第一批公告一样，"
                    "发展中国家能力建设是评价标准之一。",
                ),
                **tr(
                    "science_areas",
                    "Biology, life science, medicine, materials, space astronomy",
                    "生物、生命科学、医学、材料、空间天文",
                ),
                kind=OpportunityKind.STATION_EXPERIMENT,
                loi_deadline=beijing_end_of_day(css_loi),
                shortlist_date=css_loi + timedelta(days=14),
                expected_selection=today + timedelta(days=150),
            ),
            "carriers": [
                _carrier(
                    CarrierKind.STATION_RACK,
                    tr("name", "Experiment rack (inside)", "实验机柜（舱内）"),
                    (60, 20, 300, 5000, "420 × 300 × 250"),
                ),
                _carrier(
                    CarrierKind.EXPOSED_PLATFORM,
                    tr("name", "Exposed platform (outside)", "舱外暴露平台"),
                    (100, 50, 200, 3000, "800 × 600 × 500"),
                ),
            ],
            "criteria": criteria(capacity_building=True),
            "documents": demo_documents(with_loi=True),
            "statements": DEMO_STATEMENTS,
        },
    ]


def demo_review_call_spec(today: date) -> dict:
    """The demonstration call in review: opened 14 days ago, its deadline passed
    3 days ago. Loaded as published, as the other demonstration calls; its
    proposals are submitted before the deadline and it is then closed through
    catalogue.workflow (reviews.seed)."""
    return {
        "slug": REVIEW_CALL_SLUG,
        "mission": "chang-e-8",
        "opportunity": _published(
            today,
            deadline_in=-3,
            **tr(
                "title",
                "Chang'E-8 payloads, in review (demonstration)",
                "嫦娥八号载荷，评审中（演示）",
            ),
            **tr(
                "summary",
                "Payloads for in-situ resource utilisation and the science of the "
                "lunar south pole, on the lander and the orbiter. Closed: the "
                "proposals are being reviewed. (demonstration)",
                "面向月球资源原位利用和月球南极科学的着陆器和轨道器载荷。"
                "已截止，建议书正在评审中。（演示）",
            ),
            **tr(
                "description",
                DEMO_NOTE_EN + " Its deadline has passed so that reviewers and "
                "administrators can try the review: scoring, the ranking, the "
                "manifest and the decisions. The real Chang'E-8 call had a "
                "letter-of-intent stage and chose 10 projects, announced in April "
                "2025.",
                DEMO_NOTE_ZH + "其截止日期已过，便于评审专家和管理员试用评审功能："
                "评分、排名、搭载方案和遴选决定。真实的嫦娥八号公告设有意向书阶段，"
                "最终遴选10个项目，于2025年4月公布。",
            ),
            **tr(
                "science_areas",
                "In-situ resource utilisation, lunar and planetary science",
                "原位资源利用、月球与行星科学",
            ),
            expected_selection=today + timedelta(days=30),
        ),
        "carriers": [
            _carrier(
                CarrierKind.LANDER,
                tr("name", "Lander", "着陆器"),
                (40, 15, 60, 500, "400 × 300 × 300"),
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


def demo_contacts(*, report: SeedReport) -> list[Contact]:
    """The demonstration contact, for the demonstration calls."""
    values = {k: v for k, v in DEMO_CONTACT.items() if k != "email"}
    return [
        sync_row(
            Contact,
            lookup={"email": DEMO_CONTACT["email"]},
            values=values,
            report=report,
        )
    ]


def load_demo_call(spec: dict, *, report: SeedReport):
    """Load one demonstration call with the demonstration contact only (taking
    off the real CNSA contacts an earlier version of the seed put on it)."""
    mission = Mission.objects.get(slug=spec["mission"])
    contacts = demo_contacts(report=report)
    opportunity = load_call(spec, mission=mission, contacts=contacts, report=report)
    opportunity.contacts.remove(
        *Contact.objects.filter(email__in=[c["email"] for c in CONTACTS])
    )
    return opportunity


def seed_demo_calls() -> list[str]:
    """The demonstration calls, open now, their dates moved to follow today."""
    report = SeedReport()
    lines = [_("Demonstration calls (open now):")]
    for spec in demo_call_specs(timezone.localdate()):
        opportunity = load_demo_call(spec, report=report)
        lines.append(
            _("  %(slug)s — deadline %(deadline)s (Beijing time)")
            % {
                "slug": opportunity.slug,
                "deadline": timezone.localtime(opportunity.proposal_deadline).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            }
        )
    return lines

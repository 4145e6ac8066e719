"""The real calls CNSA (and, for the space station, CMSA with UNOOSA) ran, as
DOMAIN-FACTS.md records them: carriers, masses, dates and outcomes.

Conventions:
- a deadline known only by its date is 23:59 Beijing time that day; a call opens
  at 00:00 Beijing time on the day it was announced;
- a date known only by its month is stored as the month's last day ("by then"),
  and the text says the month;
- a carrier whose mass was never published has no `total_mass_kg` (None, shown
  as "not published") and a note saying so;
- the calls state their criteria but publish no weights: the weights here are the
  portal's illustration, and each description says so.

Each call is a dict: `slug` (natural key), `mission` (a mission slug),
`opportunity` (the row's values), `carriers`, `criteria`, `documents`,
`statements`.
"""

from datetime import date
from decimal import Decimal

from catalogue.enums import (
    CarrierKind,
    CooperationLevel,
    OpportunityKind,
    OpportunityStatus,
    ResourcePolicy,
)
from catalogue.seed.upsert import beijing, beijing_end_of_day, tr

RECORD_NOTE_EN = (
    "This call is over; it is kept as a record of what was offered and chosen. "
    "The criteria are those the call stated; the weights shown are the portal's "
    "illustration, not published by CNSA."
)
RECORD_NOTE_ZH = (
    "本公告已结束，留作所提供资源与遴选结果的记录。评价标准为公告所列标准；"
    "所示权重为本门户的示意，并非国家航天局公布。"
)

MASS_NOT_PUBLISHED_EN = "Mass not published: the call gave no mass allocation."
MASS_NOT_PUBLISHED_ZH = "质量未公布：公告未给出质量分配。"

ELIGIBILITY_EN = (
    "International partners: research institutions, universities and companies "
    "outside China. Carriage is free; partners fund their own payload and share "
    "its data."
)
ELIGIBILITY_ZH = (
    "国际合作伙伴：中国境外的科研机构、大学和企业。搭载免费；"
    "合作方自行承担载荷研制费用并共享数据。"
)

LUNAR_SCIENCE = tr("science_areas", "Lunar and planetary science", "月球与行星科学")


def criteria(*, capacity_building: bool = False) -> list[dict]:
    """The criteria stated across CNSA's calls, weights summing to 100."""
    weights = (
        ("35", "25", "20") if capacity_building else ("40", "35", "25")
    )  # science, feasibility, international collaboration
    rows = [
        {
            **tr("name", "Scientific value", "科学价值"),
            **tr(
                "description",
                "Importance and novelty of the science, and its fit with the "
                "mission's objectives.",
                "科学问题的重要性与创新性，及其与任务目标的契合度。",
            ),
            "weight": Decimal(weights[0]),
        },
        {
            **tr("name", "Engineering and technical feasibility", "工程与技术可行性"),
            **tr(
                "description",
                "Maturity of the payload, its resource needs within the carrier's "
                "envelope, and the team's ability to deliver on time.",
                "载荷的技术成熟度、资源需求是否在搭载平台包络之内，以及团队按期交付的能力。",
            ),
            "weight": Decimal(weights[1]),
        },
        {
            **tr(
                "name",
                "Diversity of international collaboration",
                "国际合作的多样性",
            ),
            **tr(
                "description",
                "Breadth of the partnership across countries and institutions.",
                "合作伙伴在国家和机构层面的广度。",
            ),
            "weight": Decimal(weights[2]),
        },
    ]
    if capacity_building:
        rows.append(
            {
                **tr(
                    "name",
                    "Capacity building for developing countries",
                    "发展中国家能力建设",
                ),
                **tr(
                    "description",
                    "How the project builds space capabilities in developing "
                    "countries.",
                    "项目对发展中国家空间能力建设的贡献。",
                ),
                "weight": Decimal(20),
            }
        )
    return rows


def _decided(**values) -> dict:
    """Values shared by every historical call.

    The status is written directly, not through catalogue.workflow: the seed
    records what already happened (the call ran and was decided years ago); it
    is not a workflow move, and publishing it through the workflow would email
    the CNSA contacts and subscribers about a call that closed long ago.
    """
    return {
        "status": OpportunityStatus.DECIDED,
        "is_demo": False,
        "published_at": values["opens_at"],
        "dual_anonymous": False,
        "resource_policy": ResourcePolicy.BLOCK,
        **values,
    }


HISTORICAL_CALLS: list[dict] = [
    {
        "slug": "chang-e-6-payloads-2019",
        "mission": "chang-e-6",
        "opportunity": _decided(
            **tr(
                "title",
                "Chang'E-6 international payloads",
                "嫦娥六号国际载荷搭载机遇",
            ),
            **tr(
                "summary",
                "Places for international payloads on the Chang'E-6 lander (10 kg) "
                "and orbiter (10 kg).",
                "嫦娥六号着陆器（10千克）和轨道器（10千克）的国际载荷搭载机会。",
            ),
            **tr(
                "description",
                "CNSA invited international partners to propose payloads for "
                "Chang'E-6, the mission that returned the first samples from the "
                "far side of the Moon: up to 10 kg on the lander and 10 kg on the "
                "orbiter. Announced on 18 April 2019; proposals were due on 31 August "
                "2019.\n\n" + RECORD_NOTE_EN,
                "国家航天局邀请国际伙伴为首次从月球背面采样返回的嫦娥六号任务提出载荷建议："
                "着陆器最多10千克，轨道器最多10千克。公告于2019年4月18日发布，"
                "建议书截止日期为2019年8月31日。\n\n" + RECORD_NOTE_ZH,
            ),
            **tr("eligibility", ELIGIBILITY_EN, ELIGIBILITY_ZH),
            **LUNAR_SCIENCE,
            **tr(
                "outcome",
                "More than 20 proposals were received (recorded here as 20); 4 "
                "international payloads were selected and flew on Chang'E-6: DORN, "
                "a radon detector (France, 4.5 kg, lander); NILS, a negative-ion "
                "analyser (ESA / Sweden, lander); INRRI, a laser retroreflector "
                "(Italy, about 50 g, lander); ICUBE-Q, a cubesat (Pakistan, about "
                "7 kg, orbiter).",
                "共收到20余份建议书（此处记为20份）；4台国际载荷入选并随嫦娥六号飞行："
                "法国氡气探测仪DORN（4.5千克，着陆器）；欧洲空间局/瑞典负离子分析仪NILS"
                "（着陆器）；意大利激光角反射器INRRI（约50克，着陆器）；"
                "巴基斯坦立方星ICUBE-Q（约7千克，轨道器）。",
            ),
            kind=OpportunityKind.FLIGHT_PAYLOAD,
            cooperation_level=CooperationLevel.EQUIPMENT,
            max_entities=None,
            lead_country="",
            opens_at=beijing(date(2019, 4, 18)),
            loi_deadline=None,
            shortlist_date=None,
            proposal_deadline=beijing_end_of_day(date(2019, 8, 31)),
            expected_selection=None,
            proposals_received=20,
            proposals_shortlisted=None,
            proposals_selected=4,
        ),
        "carriers": [
            {
                "kind": CarrierKind.LANDER,
                **tr("name", "Chang'E-6 lander", "嫦娥六号着陆器"),
                "total_mass_kg": Decimal(10),
                **tr("notes", "", ""),
            },
            {
                "kind": CarrierKind.ORBITER,
                **tr("name", "Chang'E-6 orbiter", "嫦娥六号轨道器"),
                "total_mass_kg": Decimal(10),
                **tr("notes", "", ""),
            },
        ],
        "criteria": criteria(),
    },
    {
        "slug": "chang-e-7-payloads-2022",
        "mission": "chang-e-7",
        "opportunity": _decided(
            **tr(
                "title",
                "Chang'E-7 international payloads",
                "嫦娥七号国际载荷搭载机遇",
            ),
            **tr(
                "summary",
                "Places for international payloads on the Chang'E-7 lander (10 kg) "
                "and orbiter (15 kg), with a letter-of-intent stage.",
                "嫦娥七号着陆器（10千克）和轨道器（15千克）的国际载荷搭载机会，设意向书阶段。",
            ),
            **tr(
                "description",
                "CNSA invited international payloads for Chang'E-7, the survey of "
                "the resources and environment of the lunar south pole: up to 10 kg "
                "on the lander and 15 kg on the orbiter. The call opened on 24 "
                "November 2022; letters of intent were due on 1 February 2023; the "
                "preliminary selection came in April 2023 and the confirmation in "
                "July 2023.\n\n" + RECORD_NOTE_EN,
                "国家航天局为勘察月球南极资源与环境的嫦娥七号任务征集国际载荷："
                "着陆器最多10千克，轨道器最多15千克。公告于2022年11月24日发布；"
                "意向书截止日期为2023年2月1日；2023年4月完成初选，2023年7月确认。\n\n"
                + RECORD_NOTE_ZH,
            ),
            **tr("eligibility", ELIGIBILITY_EN, ELIGIBILITY_ZH),
            **LUNAR_SCIENCE,
            **tr(
                "outcome",
                "18 proposals from 11 countries and international organisations; "
                "preliminary selection in April 2023, confirmation in July 2023; 6 "
                "payloads from 7 partners, announced on 24 April 2024: Egypt with "
                "Bahrain (one joint payload), Italy, Russia, Switzerland, Thailand "
                "and the International Lunar Observatory Association (ILOA).",
                "共收到来自11个国家和国际组织的18份建议书；2023年4月完成初选，"
                "2023年7月确认；2024年4月24日公布入选的6台载荷，来自7个合作方："
                "埃及与巴林（联合载荷）、意大利、俄罗斯、瑞士、泰国和国际月球天文台协会"
                "（ILOA）。",
            ),
            kind=OpportunityKind.FLIGHT_PAYLOAD,
            cooperation_level=CooperationLevel.EQUIPMENT,
            max_entities=None,
            lead_country="",
            opens_at=beijing(date(2022, 11, 24)),
            loi_deadline=beijing_end_of_day(date(2023, 2, 1)),
            shortlist_date=date(2023, 4, 30),
            proposal_deadline=beijing_end_of_day(date(2023, 7, 31)),
            expected_selection=date(2024, 4, 24),
            proposals_received=18,
            proposals_shortlisted=None,
            proposals_selected=6,
        ),
        "carriers": [
            {
                "kind": CarrierKind.LANDER,
                **tr("name", "Chang'E-7 lander", "嫦娥七号着陆器"),
                "total_mass_kg": Decimal(10),
                **tr("notes", "", ""),
            },
            {
                "kind": CarrierKind.ORBITER,
                **tr("name", "Chang'E-7 orbiter", "嫦娥七号轨道器"),
                "total_mass_kg": Decimal(15),
                **tr("notes", "", ""),
            },
        ],
        "criteria": criteria(),
    },
    {
        "slug": "chang-e-8-payloads-2023",
        "mission": "chang-e-8",
        "opportunity": _decided(
            **tr(
                "title",
                "Chang'E-8 international payloads",
                "嫦娥八号国际载荷搭载机遇",
            ),
            **tr(
                "summary",
                "200 kg on the Chang'E-8 lander for international payloads, at most "
                "100 kg for one stand-alone module, with a letter-of-intent stage.",
                "嫦娥八号着陆器为国际载荷提供200千克，单个独立模块不超过100千克，"
                "设意向书阶段。",
            ),
            **tr(
                "description",
                "CNSA offered 200 kg on the Chang'E-8 lander to international "
                "partners, at most 100 kg for one stand-alone module, for joint "
                "exploration with Chang'E-7 and the verification of in-situ "
                "resource utilisation. Announced on 2 October 2023; letters of "
                "intent were due on 31 December 2023; the shortlist came in April "
                "2024 and the final selection in September 2024.\n\n" + RECORD_NOTE_EN,
                "国家航天局在嫦娥八号着陆器上为国际伙伴提供200千克载荷资源，"
                "单个独立模块不超过100千克，用于与嫦娥七号联合探测和月球资源原位利用验证。"
                "公告于2023年10月2日发布；意向书截止日期为2023年12月31日；"
                "2024年4月完成初选，2024年9月完成终选。\n\n" + RECORD_NOTE_ZH,
            ),
            **tr("eligibility", ELIGIBILITY_EN, ELIGIBILITY_ZH),
            **LUNAR_SCIENCE,
            **tr(
                "outcome",
                "41 proposals; 14 shortlisted in April 2024; 10 projects chosen in "
                "the final selection of September 2024 and announced on 24 April "
                "2025.",
                "共收到41份建议书；2024年4月初选入围14份；2024年9月终选确定10个项目，"
                "于2025年4月24日公布。",
            ),
            kind=OpportunityKind.FLIGHT_PAYLOAD,
            cooperation_level=CooperationLevel.EQUIPMENT,
            max_entities=None,
            lead_country="",
            opens_at=beijing(date(2023, 10, 2)),
            loi_deadline=beijing_end_of_day(date(2023, 12, 31)),
            shortlist_date=date(2024, 4, 30),
            proposal_deadline=beijing_end_of_day(date(2024, 9, 30)),
            expected_selection=date(2025, 4, 24),
            proposals_received=41,
            proposals_shortlisted=14,
            proposals_selected=10,
        ),
        "carriers": [
            {
                "kind": CarrierKind.LANDER,
                **tr("name", "Chang'E-8 lander", "嫦娥八号着陆器"),
                "total_mass_kg": Decimal(200),
                "max_payload_mass_kg": Decimal(100),
                **tr(
                    "notes",
                    "At most 100 kg for one stand-alone module.",
                    "单个独立模块不超过100千克。",
                ),
            },
        ],
        "criteria": criteria(),
    },
    {
        "slug": "tianwen-2-payloads-2019",
        "mission": "tianwen-2",
        "opportunity": _decided(
            **tr(
                "title",
                "Tianwen-2 international payloads",
                "天问二号国际载荷搭载机遇",
            ),
            **tr(
                "summary",
                "Foreign instruments invited for the asteroid sample-return "
                "mission; no mass allocation was published.",
                "为小行星采样返回任务征集国外仪器；未公布质量分配。",
            ),
            **tr(
                "description",
                "In April 2019 CNSA invited foreign instruments for its asteroid "
                "sample-return mission, later named Tianwen-2; proposals were due "
                "on 31 August 2019. The call published no mass allocation: the "
                "carrier below records it as not published.\n\n" + RECORD_NOTE_EN,
                "2019年4月，国家航天局为其小行星采样返回任务（后命名为天问二号）"
                "征集国外仪器；建议书截止日期为2019年8月31日。公告未公布质量分配，"
                "下方搭载平台记为“未公布”。\n\n" + RECORD_NOTE_ZH,
            ),
            **tr("eligibility", ELIGIBILITY_EN, ELIGIBILITY_ZH),
            **tr(
                "science_areas",
                "Small bodies: asteroids and comets",
                "小天体：小行星与彗星",
            ),
            **tr(
                "outcome",
                "No foreign payload is known to have been selected. Tianwen-2 "
                "launched on 28 May 2025.",
                "目前未知有国外载荷入选。天问二号于2025年5月28日发射。",
            ),
            kind=OpportunityKind.FLIGHT_PAYLOAD,
            cooperation_level=CooperationLevel.EQUIPMENT,
            max_entities=None,
            lead_country="",
            opens_at=beijing(date(2019, 4, 1)),
            loi_deadline=None,
            shortlist_date=None,
            proposal_deadline=beijing_end_of_day(date(2019, 8, 31)),
            expected_selection=None,
            proposals_received=None,
            proposals_shortlisted=None,
            proposals_selected=None,
        ),
        "carriers": [
            {
                "kind": CarrierKind.OTHER,
                **tr("name", "Tianwen-2 probe", "天问二号探测器"),
                "total_mass_kg": None,
                **tr("notes", MASS_NOT_PUBLISHED_EN, MASS_NOT_PUBLISHED_ZH),
            },
        ],
        "criteria": criteria(),
    },
    {
        "slug": "tianwen-3-payloads-2025",
        "mission": "tianwen-3",
        "opportunity": _decided(
            **tr(
                "title",
                "Tianwen-3 co-developed payloads",
                "天问三号合作载荷",
            ),
            **tr(
                "summary",
                "15 kg on the orbiter and 5 kg on the service module of the Mars "
                "sample-return mission, for payloads co-developed with a Chinese "
                "lead institution.",
                "火星采样返回任务轨道器15千克、服务舱5千克，用于与中国牵头单位合作研制的载荷。",
            ),
            **tr(
                "description",
                "CNSA invited payloads for Tianwen-3, the Mars sample-return "
                "mission: up to 15 kg on the orbiter and 5 kg on the service module. "
                "The call opened on 11 March 2025. Letters of intent were taken "
                "until the end of June 2025, full proposals until 30 September "
                "2025, and the final selection came in October 2025. Each payload "
                "is co-developed: a Chinese institution leads, with at most 5 "
                "entities per payload.\n\n" + RECORD_NOTE_EN,
                "国家航天局为火星采样返回任务天问三号征集载荷：轨道器最多15千克，"
                "服务舱最多5千克。公告于2025年3月11日发布，意向书受理至2025年6月底，"
                "完整建议书截止日期为2025年9月30日，2025年10月完成最终遴选。"
                "每台载荷均为合作研制：由中国机构牵头，参与单位不超过5家。\n\n"
                + RECORD_NOTE_ZH,
            ),
            **tr(
                "eligibility",
                "Institutions outside mainland China, including Hong Kong and "
                "Macao, co-developing a payload led by a Chinese institution; at "
                "most 5 entities per payload. Partners fund their own share and "
                "share the data.",
                "中国内地以外的机构（含香港、澳门）与中国牵头单位合作研制载荷；"
                "每台载荷参与单位不超过5家。合作方自行承担所负责部分的费用并共享数据。",
            ),
            **tr(
                "science_areas",
                "Mars science: traces of life, geology and internal structure, "
                "atmosphere",
                "火星科学：生命痕迹、地质与内部结构、大气",
            ),
            **tr(
                "outcome",
                "Final selection made in October 2025. Payloads are co-developed: "
                "a Chinese institution leads each one, with at most 5 entities per "
                "payload. The numbers of proposals and selections were not "
                "published.",
                "2025年10月完成最终遴选。载荷为合作研制：每台载荷由中国机构牵头，"
                "参与单位不超过5家。建议书与入选数量未公布。",
            ),
            kind=OpportunityKind.FLIGHT_PAYLOAD,
            cooperation_level=CooperationLevel.EQUIPMENT,
            max_entities=5,
            lead_country="CN",
            opens_at=beijing(date(2025, 3, 11)),
            loi_deadline=beijing_end_of_day(date(2025, 6, 30)),
            shortlist_date=date(2025, 8, 31),
            proposal_deadline=beijing_end_of_day(date(2025, 9, 30)),
            expected_selection=date(2025, 10, 31),
            proposals_received=None,
            proposals_shortlisted=None,
            proposals_selected=None,
        ),
        "carriers": [
            {
                "kind": CarrierKind.ORBITER,
                **tr("name", "Tianwen-3 orbiter", "天问三号轨道器"),
                "total_mass_kg": Decimal(15),
                "power_w": Decimal(40),
                "max_size_mm": "300 × 200 × 200",
                **tr(
                    "notes",
                    "350 km circular Mars orbit. The call offered no more than 40 W "
                    "of total power and a largest unit of 300 × 200 × 200 mm.",
                    "350千米环火圆轨道。公告提供的总功耗不大于40瓦，"
                    "单台设备最大包络300×200×200毫米。",
                ),
            },
            {
                "kind": CarrierKind.SERVICE_MODULE,
                **tr("name", "Tianwen-3 service module", "天问三号服务舱"),
                "total_mass_kg": Decimal(5),
                "power_w": Decimal(40),
                "max_size_mm": "300 × 200 × 200",
                **tr(
                    "notes",
                    "Highly elliptical Mars orbit, about two Martian years of "
                    "observation. The 40 W of total power is shared with the "
                    "orbiter's payloads.",
                    "环火大椭圆轨道，留轨探测约两个火星年。40瓦总功耗与轨道器载荷共享。",
                ),
            },
        ],
        "criteria": criteria(),
    },
    {
        "slug": "css-experiments-unoosa-2018",
        "mission": "china-space-station",
        "opportunity": _decided(
            **tr(
                "title",
                "China Space Station experiments: first call with UNOOSA",
                "中国空间站科学实验：与联合国外空司合作的第一批公告",
            ),
            **tr(
                "summary",
                "Experiments inside the China Space Station or on its exposed "
                "platform, offered with the United Nations Office for Outer Space "
                "Affairs to all UN Member States.",
                "与联合国外层空间事务办公室合作，向联合国所有会员国提供在中国空间站舱内"
                "或舱外暴露平台开展实验的机会。",
            ),
            **tr(
                "description",
                "The China Manned Space Agency (CMSA) and UNOOSA announced the first "
                "call for experiments on the China Space Station on 28 May 2018. "
                "Applicants could fly an experiment they develop, use facilities "
                "China provides, or expose an experiment to space outside the "
                "station. The deadline, first 31 August 2018, was extended by one "
                "month to 30 September 2018. Capacity building for developing "
                "countries was a selection criterion.\n\n" + RECORD_NOTE_EN,
                "中国载人航天工程办公室与联合国外空司于2018年5月28日发布第一批中国空间站"
                "科学实验合作公告。申请者可开展自行研制的实验、利用中方提供的设施开展实验，"
                "或在舱外开展空间暴露实验。申请截止日期原为2018年8月31日，"
                "后延长一个月至2018年9月30日。发展中国家能力建设是遴选标准之一。\n\n"
                + RECORD_NOTE_ZH,
            ),
            **tr(
                "eligibility",
                "Public and private institutions of all United Nations Member "
                "States; institutions of developing countries were particularly "
                "encouraged.",
                "联合国所有会员国的公共和私营机构；特别鼓励发展中国家机构申请。",
            ),
            **tr(
                "science_areas",
                "Biology, life science, medicine, materials, space astronomy",
                "生物、生命科学、医学、材料、空间天文",
            ),
            **tr(
                "outcome",
                "42 applications from organisations in 27 countries; 18 shortlisted "
                "in February 2019; 9 projects chosen on 12 June 2019 (6 selected, 3 "
                "conditionally selected).",
                "共收到来自27个国家机构的42份申请；2019年2月18份入围；"
                "2019年6月12日公布9个项目（6个入选，3个有条件入选）。",
            ),
            kind=OpportunityKind.STATION_EXPERIMENT,
            cooperation_level=CooperationLevel.EQUIPMENT,
            max_entities=None,
            lead_country="",
            opens_at=beijing(date(2018, 5, 28)),
            loi_deadline=None,
            shortlist_date=date(2019, 2, 28),
            proposal_deadline=beijing_end_of_day(date(2018, 9, 30)),
            expected_selection=date(2019, 6, 12),
            proposals_received=42,
            proposals_shortlisted=18,
            proposals_selected=9,
        ),
        "carriers": [
            {
                "kind": CarrierKind.STATION_RACK,
                **tr(
                    "name",
                    "Inside the station (experiment racks)",
                    "舱内（实验机柜）",
                ),
                "total_mass_kg": None,
                **tr(
                    "notes",
                    "Experiments the applicants develop, or experiments on "
                    "facilities China provides. " + MASS_NOT_PUBLISHED_EN,
                    "申请者自行研制的实验，或利用中方提供设施开展的实验。"
                    + MASS_NOT_PUBLISHED_ZH,
                ),
            },
            {
                "kind": CarrierKind.EXPOSED_PLATFORM,
                **tr("name", "Exposed platform (outside)", "舱外暴露平台"),
                "total_mass_kg": None,
                **tr(
                    "notes",
                    "Experiments exposed to space outside the station. "
                    + MASS_NOT_PUBLISHED_EN,
                    "在舱外暴露于空间环境的实验。" + MASS_NOT_PUBLISHED_ZH,
                ),
            },
        ],
        "criteria": criteria(capacity_building=True),
    },
]

"""Missions and CNSA contacts, from the presentation *China Space International
Cooperation: Future Plans and Prospects* (CNSA, Vienna, June 2023), with launch
dates corrected from DOMAIN-FACTS where the mission has flown since."""

from datetime import date

from catalogue.enums import ContactLanguage, Programme
from catalogue.seed.upsert import tr

DEPARTMENT = (
    "Department of International Cooperation, China National Space Administration"
)

CONTACTS: list[dict] = [
    {
        "email": "gany@cnsa.gov.cn",
        "name": "Mr. GAN Yong",
        "department": DEPARTMENT,
        "phone": "+86-10-88581246",
        "preferred_language": ContactLanguage.ZH_HANS,
    },
    {
        "email": "dongsh@cnsa.gov.cn",
        "name": "Mr. DONG Shuai",
        "department": DEPARTMENT,
        "phone": "+86-10-88581203",
        "preferred_language": ContactLanguage.ZH_HANS,
    },
]

# Each mission: its slug (the natural key) and the values of its row.
MISSIONS: list[dict] = [
    {
        "slug": "chang-e-6",
        "code": "CE6",
        "programme": Programme.LUNAR,
        **tr("name", "Chang'E-6", "嫦娥六号"),
        **tr(
            "target",
            "Moon: South Pole–Aitken basin, far side",
            "月球背面南极-艾特肯盆地",
        ),
        **tr(
            "summary",
            "Sample return from the South Pole–Aitken basin on the far side of the "
            "Moon.",
            "从月球背面南极-艾特肯盆地采样返回。",
        ),
        **tr(
            "objectives",
            "Collect and return the first samples from the far side of the Moon, in "
            "the South Pole–Aitken basin.\n"
            "Carry international payloads: DORN (France), NILS (ESA / Sweden) and "
            "INRRI (Italy) on the lander, ICUBE-Q (Pakistan) on the orbiter.\n"
            "Launched on 3 May 2024; landed on 2 June 2024.",
            "采集并带回人类首份月球背面样品，采样区位于南极-艾特肯盆地。\n"
            "搭载国际载荷：着陆器搭载法国DORN、欧洲空间局/瑞典NILS和意大利INRRI，"
            "轨道器搭载巴基斯坦ICUBE-Q。\n"
            "2024年5月3日发射，2024年6月2日着陆。",
        ),
        # The 2023 presentation planned 2025; the mission flew a year earlier.
        "launch_window": "2024",
        "launch_year": 2024,
        "launch_date": date(2024, 5, 3),
        "order": 1,
    },
    {
        "slug": "chang-e-7",
        "code": "CE7",
        "programme": Programme.LUNAR,
        **tr("name", "Chang'E-7", "嫦娥七号"),
        **tr("target", "Moon: south pole", "月球南极"),
        **tr(
            "summary",
            "Resources and environment survey of the lunar south pole.",
            "月球南极资源与环境勘察。",
        ),
        **tr(
            "objectives",
            "Survey the environment and resources of the lunar south pole, including "
            "water ice in permanently shadowed regions.\n"
            "The mission comprises an orbiter, a lander, a rover and a small flying "
            "probe.\n"
            "Carries six international payloads from seven partners, chosen in 2023.",
            "勘察月球南极的环境与资源，包括永久阴影区内的水冰。\n"
            "任务由轨道器、着陆器、巡视器和飞跃器组成。\n"
            "搭载2023年遴选的来自7个合作方的6台国际载荷。",
        ),
        "launch_window": "~2026",
        "launch_year": 2026,
        "launch_date": None,
        "order": 2,
    },
    {
        "slug": "chang-e-8",
        "code": "CE8",
        "programme": Programme.LUNAR,
        **tr("name", "Chang'E-8", "嫦娥八号"),
        **tr("target", "Moon: south pole", "月球南极"),
        **tr(
            "summary",
            "Joint exploration with Chang'E-7, a command and control centre, and "
            "verification of the in-situ use of lunar resources.",
            "与嫦娥七号联合探测，建立指挥控制中心，验证月球资源原位利用。",
        ),
        **tr(
            "objectives",
            "Joint and multi-point exploration with Chang'E-7 as one complex mission.\n"
            "Establish a command and control centre.\n"
            "Verify the in-situ utilisation of lunar resources.\n"
            "Form, with Chang'E-7, the basic model of the International Lunar "
            "Research Station.",
            "作为复合任务与嫦娥七号开展联合、多点探测。\n"
            "建立指挥控制中心。\n"
            "开展月球资源原位利用验证。\n"
            "与嫦娥七号共同构成国际月球科研站基本型。",
        ),
        # The presentation said 2030; later CNSA statements give about 2029.
        "launch_window": "2029–2030",
        "launch_year": 2029,
        "launch_date": None,
        "order": 3,
    },
    {
        "slug": "tianwen-2",
        "code": "TW2",
        "programme": Programme.PLANETARY,
        **tr("name", "Tianwen-2", "天问二号"),
        **tr(
            "target",
            "Near-Earth asteroid 2016 HO3 (Kamoʻoalewa), then main-belt comet 311P",
            "近地小行星2016 HO3（卡莫奥阿莱瓦），随后探测主带彗星311P",
        ),
        **tr(
            "summary",
            "Asteroid sample return, then the exploration of a main-belt comet.",
            "小行星采样返回，随后探测一颗主带彗星。",
        ),
        **tr(
            "objectives",
            "Collect samples from the near-Earth asteroid 2016 HO3 (Kamoʻoalewa) and "
            "return them to Earth.\n"
            "After releasing the sample capsule, fly on to study the main-belt comet "
            "311P/PANSTARRS.\n"
            "Launched on 28 May 2025.",
            "对近地小行星2016 HO3（卡莫奥阿莱瓦）采样并将样品带回地球。\n"
            "释放返回舱后，继续飞往主带彗星311P/PANSTARRS开展探测。\n"
            "2025年5月28日发射。",
        ),
        "launch_window": "2025",
        "launch_year": 2025,
        "launch_date": date(2025, 5, 28),
        "order": 4,
    },
    {
        "slug": "tianwen-3",
        "code": "TW3",
        "programme": Programme.PLANETARY,
        **tr("name", "Tianwen-3", "天问三号"),
        **tr("target", "Mars", "火星"),
        **tr("summary", "Mars sample return.", "火星采样返回。"),
        **tr(
            "objectives",
            "Search for possible traces of life on Mars.\n"
            "Study the geology and internal structure of Mars, and its atmospheric "
            "circulation and escape.\n"
            "Two launches: a lander and ascender, and an orbiter with a return module "
            "that brings the samples to Earth.",
            "寻找火星上可能存在的生命痕迹。\n"
            "研究火星地质与内部结构，以及大气环流与逃逸。\n"
            "分两次发射：着陆器与上升器，以及将样品带回地球的轨道器与返回器。",
        ),
        "launch_window": "~2028",
        "launch_year": 2028,
        "launch_date": None,
        "order": 5,
    },
    {
        "slug": "tianwen-4",
        "code": "TW4",
        "programme": Programme.PLANETARY,
        **tr("name", "Tianwen-4", "天问四号"),
        **tr("target", "Jupiter system", "木星系"),
        **tr(
            "summary",
            "Exploration of the Jupiter system and interplanetary space.",
            "木星系及行星际探测。",
        ),
        **tr(
            "objectives",
            "Explore the Jupiter system.\n"
            "Carry out interplanetary exploration on the way.",
            "探测木星系。\n途中开展行星际探测。",
        ),
        "launch_window": "~2029",
        "launch_year": 2029,
        "launch_date": None,
        "order": 6,
    },
    {
        "slug": "china-space-station",
        "code": "CSS",
        "programme": Programme.HUMAN_SPACEFLIGHT,
        **tr("name", "China Space Station", "中国空间站"),
        **tr("target", "Low Earth orbit", "近地轨道"),
        **tr(
            "summary",
            "Fully completed in 2022: long-term scientific research and experiments "
            "in biology, life science, medicine, materials and more.",
            "2022年全面建成：开展生物、生命科学、医学、材料等领域的长期科学研究与实验。",
        ),
        **tr(
            "objectives",
            "Long-term scientific study and experiments in biology, life science, "
            "medicine and materials.\n"
            "Experiments inside the station and on its exposed platform, open to "
            "international partners through calls such as the one run with the "
            "United Nations Office for Outer Space Affairs (UNOOSA).",
            "开展生物、生命科学、医学和材料等领域的长期科学研究与实验。\n"
            "舱内实验与舱外暴露平台实验，通过与联合国外层空间事务办公室"
            "（联合国外空司）合作等方式向国际伙伴开放。",
        ),
        "launch_window": "2022",
        "launch_year": 2022,
        "launch_date": None,
        "order": 7,
    },
    {
        "slug": "ilrs",
        "code": "ILRS",
        "programme": Programme.ILRS,
        **tr(
            "name",
            "International Lunar Research Station (ILRS)",
            "国际月球科研站",
        ),
        **tr("target", "Moon: south pole region", "月球南极地区"),
        **tr(
            "summary",
            "A lunar research station built with international partners; "
            "the Guide for Partnership (V1.0) was released in June 2021.",
            "与国际伙伴共同建设的月球科研站；《国际月球科研站合作伙伴指南（V1.0）》"
            "于2021年6月发布。",
        ),
        **tr(
            "objectives",
            "The origin and evolution of the Moon.\n"
            "The evolution of the cosmic Dark Ages and Dawn.\n"
            "The nature of Earth-like living environments.\n"
            "Lunar ecological experiments and basic science experiments.\n"
            "The development and utilisation of lunar energy and material resources.",
            "月球的起源与演化。\n"
            "宇宙黑暗时代与黎明时代的演化。\n"
            "探索类地生命生存环境的本质。\n"
            "月球生态实验与基础科学实验。\n"
            "月球能源与物质资源的开发利用。",
        ),
        "launch_window": "2030s",
        "launch_year": 2035,
        "launch_date": None,
        "order": 8,
    },
]

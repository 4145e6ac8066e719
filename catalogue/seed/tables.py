"""The cooperation tables of the CNSA presentation (Vienna, June 2023), shown on
/cooperation/. Rows are lists of strings, one per column; a Chinese table left
empty falls back to the English one."""

from catalogue.seed.upsert import tr

OPEN, OPEN_ZH = "open", "开放"
NA, NA_ZH = "N/A", "不适用"
YES, YES_ZH = "Applicable", "适用"

SPACE_TECHNOLOGY = tr("section", "Space technology", "空间技术")
SPACE_APPLICATIONS = tr("section", "Space applications", "空间应用")
SPACE_SCIENCE = tr("section", "Space science", "空间科学")
MULTILATERAL = tr("section", "Multilateral cooperation", "多边合作")

ORBITS = ["GEO", "HEO", "IGSO", "MEO", "LEO"]


def _open_row(label: list[str], marks: str, *, zh: bool = False) -> list[str]:
    """A row of open/N/A cells from a compact mark string: o = open, - = N/A."""
    cells = {"o": OPEN_ZH if zh else OPEN, "-": NA_ZH if zh else NA}
    return [*label, *(cells[mark] for mark in marks)]


SATELLITE_ROWS = [
    # (English labels, Chinese labels, GEO HEO IGSO MEO LEO)
    (["Communication satellites", "Broadcasting"], ["通信卫星", "广播"], "oo---"),
    (["Communication satellites", "Broadband"], ["通信卫星", "宽带"], "oo-oo"),
    (["Communication satellites", "Mobile"], ["通信卫星", "移动"], "oo-oo"),
    (["Communication satellites", "Relay"], ["通信卫星", "中继"], "oo-oo"),
    (["Navigation satellites", ""], ["导航卫星", ""], "o-ooo"),
    (["Remote sensing satellites", "Optical ²"], ["遥感卫星", "光学 ²"], "ooooo"),
    (["Remote sensing satellites", "Microwave ³"], ["遥感卫星", "微波 ³"], "ooooo"),
]


def _satellite_rows(*, zh: bool) -> list[list[str]]:
    rows = [
        _open_row(zh_label if zh else en, marks, zh=zh)
        for en, zh_label, marks in SATELLITE_ROWS
    ]
    # Navigation in LEO is open for signal augmentation only (footnote 1).
    rows[4][-1] += " ¹"
    return rows


COOPERATION_TABLES: list[dict] = [
    {
        "slug": "satellite-solutions",
        **SPACE_TECHNOLOGY,
        **tr(
            "title",
            "Satellite manufacturing, from system to equipment level, by orbit",
            "按轨道划分的卫星制造合作（从系统级到设备级）",
        ),
        **tr(
            "intro",
            "Opportunities for satellite manufacturing from system to equipment level.",
            "从系统级到设备级的卫星制造合作机会。",
        ),
        **tr(
            "columns",
            ["Satellites", "Solution", *ORBITS],
            ["卫星", "方案", *ORBITS],
        ),
        **tr("rows", _satellite_rows(zh=False), _satellite_rows(zh=True)),
        **tr(
            "footnotes",
            "¹ LEO navigation satellites are for signal augmentation.\n"
            "² Panchromatic, multispectral and hyperspectral cameras.\n"
            "³ Synthetic aperture radar (SAR) included.",
            "¹ 低轨导航卫星用于信号增强。\n"
            "² 全色、多光谱和高光谱相机。\n"
            "³ 包括合成孔径雷达（SAR）。",
        ),
        "order": 1,
    },
    {
        "slug": "ground-facilities",
        **SPACE_TECHNOLOGY,
        **tr("title", "Ground facilities", "地面设施"),
        **tr("intro", "", ""),
        **tr(
            "columns",
            [
                "Ground facilities",
                "Turn-key solution",
                "Equipment supply",
                "Access to Chinese facilities",
            ],
            ["地面设施", "交钥匙方案", "设备供应", "使用中国设施"],
        ),
        **tr(
            "rows",
            [
                [
                    "Ground station",
                    OPEN,
                    OPEN,
                    "open; on-site operation to be detailed under agreement",
                ],
                [
                    "Facility for satellite manufacturing",
                    OPEN,
                    OPEN,
                    "open; on-site manufacturing to be detailed under agreement",
                ],
            ],
            [
                ["地面站", OPEN_ZH, OPEN_ZH, "开放；现场运行需在协议中具体约定"],
                ["卫星制造设施", OPEN_ZH, OPEN_ZH, "开放；现场制造需在协议中具体约定"],
            ],
        ),
        **tr("footnotes", "", ""),
        "order": 2,
    },
    {
        "slug": "education-training",
        **SPACE_TECHNOLOGY,
        **tr("title", "Education and training", "教育与培训"),
        **tr("intro", "", ""),
        **tr(
            "columns",
            ["", "Master's degree", "Bachelor's degree", "Internship"],
            ["", "硕士学位", "学士学位", "实习"],
        ),
        **tr(
            "rows",
            [["Education & training", OPEN, OPEN, "open, on-site training"]],
            [["教育与培训", OPEN_ZH, OPEN_ZH, "开放，现场培训"]],
        ),
        **tr("footnotes", "", ""),
        "order": 3,
    },
    {
        "slug": "remote-sensing-applications",
        **SPACE_APPLICATIONS,
        **tr(
            "title",
            "Remote-sensing data by field of application",
            "遥感数据的应用领域",
        ),
        **tr(
            "intro",
            "Remote-sensing data will be widely applied in agriculture, natural "
            "resources, environmental protection, disaster management and climate "
            "change.",
            "遥感数据将广泛应用于农业、自然资源、环境保护、灾害管理和气候变化等领域。",
        ),
        **tr(
            "columns",
            [
                "Satellite",
                "Agriculture & fishery",
                "Natural resources",
                "Environmental protection",
                "Disaster management",
                "Climate change",
                "City planning",
            ],
            [
                "卫星",
                "农业与渔业",
                "自然资源",
                "环境保护",
                "灾害管理",
                "气候变化",
                "城市规划",
            ],
        ),
        **tr(
            "rows",
            [
                [
                    "Land survey: GF series",
                    "Applicable (drought, pest, yield)",
                    YES,
                    YES,
                    YES,
                    "Applicable (greenhouse gas)",
                    "Applicable (transportation, public facilities)",
                ],
                [
                    "Ocean monitoring: HY series",
                    "Applicable (pollution)",
                    YES,
                    YES,
                    YES,
                    YES,
                    "Applicable (coastal zone)",
                ],
                [
                    "Meteorology: FY series",
                    YES,
                    NA,
                    YES,
                    "Applicable (extreme weather)",
                    YES,
                    YES,
                ],
            ],
            [
                [
                    "陆地观测：高分（GF）系列卫星",
                    "适用（干旱、病虫害、产量）",
                    YES_ZH,
                    YES_ZH,
                    YES_ZH,
                    "适用（温室气体）",
                    "适用（交通、公共设施）",
                ],
                [
                    "海洋监测：海洋（HY）系列卫星",
                    "适用（污染）",
                    YES_ZH,
                    YES_ZH,
                    YES_ZH,
                    YES_ZH,
                    "适用（海岸带）",
                ],
                [
                    "气象监测：风云（FY）系列卫星",
                    YES_ZH,
                    NA_ZH,
                    YES_ZH,
                    "适用（极端天气）",
                    YES_ZH,
                    YES_ZH,
                ],
            ],
        ),
        **tr("footnotes", "", ""),
        "order": 4,
    },
    {
        "slug": "remote-sensing-resolution-limits",
        **SPACE_APPLICATIONS,
        **tr(
            "title",
            "Remote-sensing data policy: resolution limits",
            "遥感数据政策：分辨率限制",
        ),
        **tr(
            "intro",
            "Data with a ground pixel resolution finer than these limits are not "
            "included in international cooperation.",
            "地面像元分辨率优于以下限值的数据不纳入国际合作范围。",
        ),
        **tr(
            "columns",
            ["Data", "Not included: ground pixel resolution finer than", "Example"],
            ["数据类型", "不纳入：地面像元分辨率优于", "示例"],
        ),
        **tr(
            "rows",
            [
                ["Panchromatic", "0.5 m", "Bird's Nest, PAN (0.5 m)"],
                ["Multispectral", "2.0 m", "The Forbidden City, multispectral (2 m)"],
                ["Microwave image", "1.0 m", "Yangtze River, SAR (1 m)"],
            ],
            [
                ["全色", "0.5米", "鸟巢，全色（0.5米）"],
                ["多光谱", "2.0米", "故宫，多光谱（2米）"],
                ["微波图像", "1.0米", "长江，合成孔径雷达（1米）"],
            ],
        ),
        **tr(
            "footnotes",
            "The limit itself is not included in the restriction. Details are in "
            "the Interim Measures for International Cooperation Administration of "
            "National Civil Remote Sensing Satellite Data, released by CNSA in "
            "2022.",
            "限值本身不在限制范围内。详见国家航天局2022年发布的"
            "《国家民用遥感卫星数据国际合作管理暂行办法》。",
        ),
        "order": 5,
    },
    {
        "slug": "space-science-levels",
        **SPACE_SCIENCE,
        **tr(
            "title",
            "Space science: cooperation by level",
            "空间科学：各层级合作机会",
        ),
        **tr("intro", "", ""),
        **tr(
            "columns",
            ["Area", "Missions for", "System", "Subsystem", "Equipment", "Application"],
            ["领域", "任务方向", "系统", "分系统", "设备", "应用"],
        ),
        **tr(
            "rows",
            [
                [
                    "Experiments in space",
                    "China Space Station or spaceship",
                    NA,
                    NA,
                    "open (such as new materials, or scientific instruments)",
                    OPEN,
                ],
                ["Space science", "Space astronomy", "open *", OPEN, OPEN, OPEN],
                [
                    "Space science",
                    "Lunar and planetary science",
                    "open *",
                    OPEN,
                    OPEN,
                    OPEN,
                ],
                ["Space science", "Space earth sciences", "open *", OPEN, OPEN, OPEN],
                ["Space science", "Space physics", "open *", OPEN, OPEN, OPEN],
            ],
            [
                [
                    "空间实验",
                    "中国空间站或飞船",
                    NA_ZH,
                    NA_ZH,
                    "开放（如新材料或科学仪器）",
                    OPEN_ZH,
                ],
                ["空间科学", "空间天文", "开放 *", OPEN_ZH, OPEN_ZH, OPEN_ZH],
                ["空间科学", "月球与行星科学", "开放 *", OPEN_ZH, OPEN_ZH, OPEN_ZH],
                ["空间科学", "空间地球科学", "开放 *", OPEN_ZH, OPEN_ZH, OPEN_ZH],
                ["空间科学", "空间物理", "开放 *", OPEN_ZH, OPEN_ZH, OPEN_ZH],
            ],
        ),
        **tr(
            "footnotes",
            "* Including the definition of scientific objectives and areas; "
            "system-level cooperation is also included.",
            "* 包括科学目标与领域的定义；也包括系统级合作。",
        ),
        "order": 6,
    },
    {
        "slug": "multilateral-programmes",
        **MULTILATERAL,
        **tr(
            "title",
            "Multilateral programmes China takes part in",
            "中国参与的多边合作项目",
        ),
        **tr("intro", "", ""),
        **tr(
            "columns",
            ["Programme", "What it does", "Facts"],
            ["项目", "内容", "概况"],
        ),
        **tr(
            "rows",
            [
                [
                    "Asia-Pacific Space Cooperation Organization (APSCO)",
                    "A non-profit inter-governmental organisation promoting "
                    "multilateral cooperation in space science, technology and "
                    "applications; China is the host country, with headquarters in "
                    "Beijing.",
                    "12 members. Cooperation areas: space science and lunar & deep "
                    "space exploration; space technology and capacity building; "
                    "space applications and remote-sensing data sharing. Example: "
                    "the Student Small Satellite, launched by LM-2D in October 2021.",
                ],
                [
                    "BRICS Remote Sensing Satellite Constellation",
                    "Agreement among the BRICS space authorities signed in August "
                    "2021; CNSA hosted in 2022, SANSA in 2023.",
                    "6 satellites in orbit and 5 ground stations.",
                ],
                [
                    "Regional Centre for Space Science and Technology Education in "
                    "Asia and the Pacific (China) (RCSSTEAP)",
                    "UN-affiliated education centre in Beijing: remote sensing and "
                    "GIS, satellite communications, GNSS, micro-satellite "
                    "technology, space law and policy, space science and "
                    "environment.",
                    "319 master's and doctoral graduates from 27 developing "
                    "countries as of September 2021.",
                ],
                [
                    "UN-SPIDER Beijing office",
                    "A programme of UNOOSA, with offices in Vienna, Beijing and Bonn.",
                    "The Beijing office focuses on Asia and has contributed to the "
                    "Pacific and Africa since 2011.",
                ],
                [
                    "Lancang-Mekong River Space Information Cooperation Center",
                    "Remote-sensing data storage, advanced processing, special "
                    "products and their distribution.",
                    "Seven fields: agriculture, forestry, water resources, coastal "
                    "zone, offshore oil spill, drought and flood monitoring. Serves "
                    "Laos, Cambodia, Thailand and Myanmar.",
                ],
                [
                    "China Meteorological Data Global Service",
                    "Meteorological data for other countries.",
                    "More than 120 countries and regions.",
                ],
                [
                    "International Charter Space and Major Disasters",
                    "Satellite data for disaster response.",
                    "17 Chinese satellites in operation for the Charter; more than "
                    "2,000 scenes since 2022.",
                ],
                [
                    "Space Climate Observatory (SCO)",
                    "Initiated by CNES, CNSA and others in 2019 to gather public "
                    "and private Earth-observation entities on climate change.",
                    "Charter signed by CNSA in June 2022, with more than 30 space "
                    "agencies and international organisations.",
                ],
                [
                    "Inter-Agency Space Debris Coordination Committee (IADC)",
                    "Joint research on space-debris modelling and databases; "
                    "re-entry prediction campaigns.",
                    "China established SOLEM (Space Objects Long-term Evolution "
                    "Model); proposed Starlink-24 as a joint observation object in "
                    "2022.",
                ],
            ],
            [
                [
                    "亚太空间合作组织（APSCO）",
                    "非营利性政府间国际组织，促进空间科学、技术及应用领域的多边合作；"
                    "中国为东道国，总部设在北京。",
                    "12个成员。合作领域：空间科学与月球及深空探测；空间技术与能力建设；"
                    "空间应用与遥感数据共享。示例：学生小卫星，2021年10月由长征二号丁发射。",
                ],
                [
                    "金砖国家遥感卫星星座",
                    "金砖国家航天机构于2021年8月签署合作协定；"
                    "2022年由国家航天局担任轮值主席机构，2023年由南非国家航天局担任。",
                    "在轨卫星6颗，地面站5个。",
                ],
                [
                    "联合国附属空间科技教育亚太区域中心（中国）",
                    "设在北京的联合国附属教育中心：遥感与地理信息系统、卫星通信、"
                    "全球导航卫星系统、微小卫星技术、空间法与政策、空间科学与环境等。",
                    "截至2021年9月，已有来自27个发展中国家的319名硕士、博士毕业生。",
                ],
                [
                    "联合国天基信息平台（UN-SPIDER）北京办公室",
                    "联合国外空司的项目，在维也纳、北京和波恩设有办公室。",
                    "北京办公室以亚洲为重点，自2011年起也为太平洋地区和非洲提供支持。",
                ],
                [
                    "澜沧江-湄公河空间信息合作中心项目",
                    "遥感数据存储、高级处理、专题产品生产与分发。",
                    "覆盖七个应用领域：农业、林业、水资源、海岸带、近海溢油、"
                    "干旱监测和洪涝监测。服务老挝、柬埔寨、泰国和缅甸四国。",
                ],
                [
                    "中国气象数据全球服务",
                    "向其他国家提供气象数据。",
                    "服务120多个国家和地区。",
                ],
                [
                    "空间与重大灾害国际宪章",
                    "为灾害应对提供卫星数据。",
                    "17颗中国卫星用于宪章运行；2022年以来提供2000余景数据。",
                ],
                [
                    "空间气候观测平台（SCO）",
                    "由法国国家空间研究中心、国家航天局等于2019年发起，"
                    "汇聚对地观测领域的公共和私营机构应对气候变化。",
                    "国家航天局于2022年6月签署宪章，另有30多个航天机构和国际组织参加。",
                ],
                [
                    "机构间空间碎片协调委员会（IADC）",
                    "空间碎片建模与数据库联合研究；再入预报联合观测。",
                    "中国建立了空间目标长期演化模型（SOLEM）；"
                    "2022年提出以Starlink-24作为联合观测目标。",
                ],
            ],
        ),
        **tr("footnotes", "", ""),
        "order": 7,
    },
    {
        "slug": "apsco-members",
        **MULTILATERAL,
        **tr(
            "title",
            "Asia-Pacific Space Cooperation Organization (APSCO): members",
            "亚太空间合作组织（APSCO）成员",
        ),
        **tr("intro", "", ""),
        **tr(
            "columns", ["Status", "Countries and organisations"], ["身份", "国家和组织"]
        ),
        **tr(
            "rows",
            [
                [
                    "Full members",
                    "Bangladesh, China, Iran, Mongolia, Pakistan, Peru, Thailand, "
                    "Türkiye",
                ],
                ["Signatory", "Indonesia (ratification in process)"],
                ["Associate member", "Egypt (ratification in process)"],
                [
                    "Observers",
                    "Mexico; Inter-Islamic Network on Space Sciences and Technology "
                    "(ISNET)",
                ],
            ],
            [
                [
                    "正式成员国",
                    "孟加拉国、中国、伊朗、蒙古、巴基斯坦、秘鲁、泰国、土耳其",
                ],
                ["签约国", "印度尼西亚（批准程序进行中）"],
                ["联系成员国", "埃及（批准程序进行中）"],
                ["观察员", "墨西哥；伊斯兰空间科学与技术网络（ISNET）"],
            ],
        ),
        **tr("footnotes", "", ""),
        "order": 8,
    },
    {
        "slug": "brics-constellation",
        **MULTILATERAL,
        **tr(
            "title",
            "BRICS Remote Sensing Satellite Constellation: satellites and ground "
            "stations",
            "金砖国家遥感卫星星座：卫星与地面站",
        ),
        **tr("intro", "", ""),
        **tr(
            "columns",
            ["Type", "Name", "Country and location"],
            ["类型", "名称", "国家与位置"],
        ),
        **tr(
            "rows",
            [
                ["Satellite", "CBERS-04", "China–Brazil"],
                ["Satellite", "Kanopus-V type", "Russia"],
                ["Satellite", "Resourcesat-2", "India"],
                ["Satellite", "Resourcesat-2A", "India"],
                ["Satellite", "GF-6", "China"],
                ["Satellite", "ZY-3/02", "China"],
                ["Ground station", "Cuiabá", "Brazil (15.552° S, 56.073° W)"],
                ["Ground station", "Moscow", "Russia (55.86° N, 37.63° E)"],
                [
                    "Ground station",
                    "Shadnagar Earth Station",
                    "India (17.028° N, 78.188° E)",
                ],
                [
                    "Ground station",
                    "Sanya",
                    "China: Sanya City, Hainan Province (18.312° N, 109.309° E)",
                ],
                [
                    "Ground station",
                    "Hartebeesthoek",
                    "South Africa: Krugersdorp, Gauteng (25.89° S, 27.42° E)",
                ],
            ],
            [
                ["卫星", "中巴地球资源卫星04星（CBERS-04）", "中国—巴西"],
                ["卫星", "老人星-V型（Kanopus-V）", "俄罗斯"],
                ["卫星", "资源卫星-2（Resourcesat-2）", "印度"],
                ["卫星", "资源卫星-2A（Resourcesat-2A）", "印度"],
                ["卫星", "高分六号（GF-6）", "中国"],
                ["卫星", "资源三号02星（ZY-3/02）", "中国"],
                ["地面站", "库亚巴（Cuiabá）", "巴西（南纬15.552°，西经56.073°）"],
                ["地面站", "莫斯科", "俄罗斯（北纬55.86°，东经37.63°）"],
                [
                    "地面站",
                    "沙德纳加尔地面站（Shadnagar）",
                    "印度（北纬17.028°，东经78.188°）",
                ],
                ["地面站", "三亚", "中国海南省三亚市（北纬18.312°，东经109.309°）"],
                [
                    "地面站",
                    "哈特比斯胡克（Hartebeesthoek）",
                    "南非豪登省克鲁格斯多普（南纬25.89°，东经27.42°）",
                ],
            ],
        ),
        **tr("footnotes", "", ""),
        "order": 9,
    },
]

"""A message board with planted hot problems, for testing the grouping and the heat ranking.

Written here, with invented places: background reports (one problem at one place each, many sharing a
problem with another place or a place with another problem, so that grouping by either alone fails) and
six hot problems reported many times in varied words, one of them by few people with wide support.
Deterministic from the seed.
"""

import csv
import datetime as dt
import random
from dataclasses import dataclass, replace
from pathlib import Path

REGIONS = ["A市", "A市A1区", "A市A2区", "A市A3区", "A市A5区", "A市A7县", "B市", "C市C2区"]
PLACES = [
    "金桂苑小区", "翠竹园", "紫荆花园", "东湖新村", "银杏家园", "枫林小区", "碧水湾", "望江公寓", "锦绣华府",
    "青山路", "滨河大道", "建设北路", "桃源街", "民主路", "和平村", "石门镇", "柳塘社区", "北辰新城",
    "师范大学", "第三中学", "实验小学", "阳光幼儿园", "人民医院", "中心卫生院", "星光农贸市场", "万达广场",
    "龙湖天街", "南站", "湘江公园", "梅溪湖公园",
]  # fmt: skip
PROBLEMS = [
    ("路灯坏了很久没人修", "晚上一片漆黑，老人小孩出行很不安全，希望尽快维修路灯。"),
    ("垃圾堆积无人清运", "垃圾已经堆了一个多星期，气味难闻，蚊蝇很多，请环卫部门处理。"),
    ("下水道堵塞污水横流", "下水道堵塞，雨天污水漫到路面，居民出行困难。"),
    ("夜间施工噪音扰民", "工地每天施工到深夜十二点，噪音很大，严重影响休息。"),
    ("占道经营乱摆摊", "商贩占用人行道摆摊，行人只能走机动车道，非常危险。"),
    ("停车收费不合理", "物业擅自提高停车费，没有经过业主大会同意。"),
    ("电梯经常故障", "电梯一个月坏了好几次，还发生过困人，物业不管。"),
    ("自来水水质发黄", "自来水发黄有异味，不敢饮用，请供水公司检测。"),
    ("小区违章搭建", "有住户在楼顶违章搭建，存在安全隐患，请城管查处。"),
    ("公交站台没有遮雨棚", "站台没有遮雨棚，下雨天等车全身湿透，希望加装。"),
    ("绿化带被毁", "绿化带被人铲掉种菜，破坏环境，请有关部门管理。"),
    ("共享单车乱停放", "共享单车堆满人行道，行人无法通行。"),
    ("房产证迟迟办不下来", "交房三年了房产证还没办下来，开发商一直推脱。"),
    ("学校周边交通拥堵", "上下学时段车辆乱停，交通严重拥堵，希望交警疏导。"),
    ("狗患扰民", "有人遛狗不牵绳，还随地大小便，孩子被吓到过。"),
    ("燃气管道老化", "燃气管道锈蚀严重，担心泄漏，请燃气公司检修。"),
]

# The planted hot problems: (key, place spellings, titles, sentences, size, likes range, start, days)
HOT = [
    (
        "oil",
        ["金桂苑小区", "金桂苑", "金桂园小区"],
        [
            "{r}{p}临街餐馆油烟噪音扰民",
            "{p}底商烧烤店油烟直排",
            "投诉{r}{p}门面餐饮油烟和噪音",
            "{p}楼下夜宵摊油烟太大",
            "请管管{p}一楼饭店的油烟",
        ],
        [
            "{p}一楼临街门面开了好几家餐馆，油烟直接排到楼上住户家里。",
            "晚上烧烤夜宵摊营业到凌晨两三点，吵闹声不断。",
            "油烟味太重，窗户都不敢开，衣服晒在外面全是味道。",
            "多次向环保和城管反映，一直没有解决。",
            "商铺没有安装专用烟道，违反规定。",
            "希望相关部门尽快整治{p}的油烟和噪音问题。",
        ],
        30, (0, 30), dt.datetime(2019, 6, 1), 160,
    ),
    (
        "intern",
        ["理工职业学院", "理工学院", "理工职院"],
        [
            "{r}{p}强制学生外出实习",
            "{p}逼迫学生去工厂实习",
            "举报{p}组织学生顶岗实习收费",
            "{p}实习不去就不给毕业证",
        ],
        [
            "学校强制安排我们去外地电子厂流水线实习，和所学专业完全无关。",
            "不去实习就不发毕业证，还要交实习管理费。",
            "每天工作十二个小时，工资被中介和学校抽成。",
            "{p}的老师说这是学校规定，必须服从。",
            "请教育部门调查{p}的实习安排。",
        ],
        20, (0, 15), dt.datetime(2019, 10, 10), 60,
    ),
    (
        "parking",
        ["翠湖湾", "翠湖湾小区", "翠湖湾二期"],
        [
            "{r}{p}开发商捆绑销售车位",
            "{p}买房必须买车位",
            "投诉{p}项目强制捆绑车位",
            "{p}车位捆绑销售是否合法",
        ],
        [
            "{p}开发商要求购房者必须同时购买车位，否则不给网签。",
            "车位价格高达十几万，而且只有使用权。",
            "这种捆绑销售的行为侵害了消费者的权益。",
            "售楼部说不买车位就不能选房。",
            "希望住建部门查处{p}开发商的违规行为。",
        ],
        14, (0, 10), dt.datetime(2019, 3, 5), 90,
    ),
    (
        "mixer",
        ["东岸新城", "东岸新城小区"],
        [
            "{r}{p}旁边搅拌站噪音粉尘扰民",
            "{p}附近混凝土搅拌站昼夜生产",
            "请关停{p}边上的搅拌站",
        ],
        [
            "{p}旁边的混凝土搅拌站日夜不停生产，噪音巨大。",
            "搅拌站粉尘很大，阳台上每天都是一层灰。",
            "运输车辆进出频繁，道路全是泥浆。",
            "搅拌站离居民楼不到一百米，是否有环评手续？",
        ],
        8, (0, 8), dt.datetime(2019, 8, 20), 40,
    ),
    (
        "fraud",
        ["汇金贷"],
        [
            "请尽快侦破{p}非法集资案",
            "{p}爆雷受害人的血汗钱何时能追回",
        ],
        [
            "{p}平台涉嫌非法集资，几千名受害人血本无归。",
            "案件立案已经半年，至今没有进展。",
            "请公安部门加快侦办，追缴赃款，返还受害人。",
        ],
        4, (800, 2000), dt.datetime(2019, 11, 1), 20,
    ),
    (
        "water",
        ["北辰新城"],
        [
            "{r}{p}频繁停水",
            "{p}一周停水三次",
            "{p}停水不通知",
        ],
        [
            "{p}这个月已经停水好几次了，每次都不提前通知。",
            "家里老人孩子用水困难，做饭洗澡都成问题。",
            "打供水公司电话说是管网维修，但一直修不好。",
        ],
        6, (0, 5), dt.datetime(2019, 12, 1), 25,
    ),
]  # fmt: skip


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    description: str
    time: dt.datetime
    likes: int
    dislikes: int
    planted: str  # the hot problem it reports, "" for background


def board(seed: int = 0, background: int = 320) -> list[Row]:
    rng = random.Random(seed)
    rows: list[Row] = []
    combos = [(place, problem) for place in PLACES for problem in PROBLEMS]
    rng.shuffle(combos)
    for place, (short, long) in combos[:background]:
        region = rng.choice(REGIONS)
        title = rng.choice(["{r}{p}{s}", "{p}{s}", "关于{r}{p}{s}的问题"]).format(r=region, p=place, s=short)
        description = f"{place}{long}"
        when = dt.datetime(2017, 6, 1) + dt.timedelta(minutes=rng.randrange(900 * 24 * 60))
        rows.append(Row("", title, description, when, rng.randint(0, 3), rng.randint(0, 2), ""))
    for key, spellings, titles, sentences, size, likes, start, days in HOT:
        region = rng.choice([r for r in REGIONS if r.startswith("A市")])
        for _ in range(size):
            place = rng.choice(spellings)
            title = rng.choice(titles).format(r=rng.choice([region, ""]), p=place)
            chosen = rng.sample(sentences, k=rng.randint(2, min(4, len(sentences))))
            description = "".join(chosen).format(p=place)
            when = start + dt.timedelta(minutes=rng.randrange(days * 24 * 60))
            rows.append(Row("", title, description, when, rng.randint(*likes), rng.randint(0, 3), key))
    rng.shuffle(rows)
    return [replace(row, id=str(10000 + i)) for i, row in enumerate(rows)]


def write(rows: list[Row], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "title", "description", "time", "likes", "dislikes"])
        for r in rows:
            out.writerow([r.id, r.title, r.description, f"{r.time:%Y/%m/%d %H:%M:%S}", r.likes, r.dislikes])

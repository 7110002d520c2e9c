"""Grouping reports of one problem at one place (X2), the way a 12345 centre finds its 热点问题, and ranking
the groups by heat. No Django here: the same code serves `cluster_eval`, the clusters view and the
duplicate check at intake.

How two reports are compared (`Pairs`):
- **text**: cosine of character 2–3-gram TF-IDF (sublinear), half from the titles and half from title and
  description together. Rare n-grams weigh most, and in complaints the rare ones are the names: of a
  housing estate, a school, a company, a road;
- **place**: the named places each report mentions (`places`: runs ending in 小区, 花园, 苑, 学院, 路 …).
  Reports naming the same place (or spellings sharing most of their characters: 星城 / 新城) gain
  `PLACE_BONUS`; reports that both name places, none of them alike, lose `PLACE_CONFLICT`, and so do
  reports from different districts or cities (A3区 / A5区, G市 / L市). Same problem, other place: another
  group;
- **where and when**, when known: reports with coordinates more than `NEAR_METRES` apart are not the same
  problem; reports far apart in time count for less.

Groups are formed by average linkage over that similarity: two groups join while the mean similarity of all
their pairs reaches `GROUP_THRESHOLD`. Average linkage, unlike joining any two close reports, does not chain
"油烟 at A" to "油烟 at B" through one report that mentions both.

Heat (`heat`): distinct reports, plus support (likes less dislikes) on a log scale, a little more for a
problem reported over a long time, less the longer ago it was last reported:

    heat = (reports + 2·log2(1 + support)) × (1 + 0.1·log2(1 + span days)) × (0.5 + 0.5·2^(−age / 90 days))

where age is counted from the newest report of the whole input, not from today, so a file ranks the same
whenever it is read.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import re
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse

from wangge.lib.geo import metres
from wangge.routing import evaluation
from wangge.routing.classifier import RouterError, normalise
from wangge.routing.evaluation import pick_column, read_rows

GROUP_THRESHOLD = 0.2  # mean similarity of all pairs of two groups for them to join
SAME_THRESHOLD = 0.25  # one pair: "likely the same problem" (the duplicate check; see the README)
EDGE = 0.05  # pairs below this similarity are taken as unrelated (0) by the linkage
PLACE_BONUS = 1.0  # similarity × (1 + this × how alike the places are)
# What is left of the similarity of reports whose titles name different places, or whose texts do
# (weaker: descriptions mention roads and landmarks on the way), or that are in different districts.
PLACE_CONFLICT = 0.1
TEXT_PLACE_CONFLICT = 0.6
# Two reports neither of which says where are questions on a topic (最低工资标准是多少), seldom one problem.
NO_PLACE = 0.6
ONE_PLACE = 0.7  # one says where, the other does not: perhaps the same place, perhaps not
PLACE_ALIKE = 0.5  # share of the shorter name's character pairs two spellings of one place have in common
NEAR_METRES = 1000.0
DUPLICATE_DAYS = 30.0  # for the duplicate check: reports this far apart count 1/2, twice as far 1/3 …
SUPPORT_WEIGHT = 2.0
SPAN_WEIGHT = 0.1
RECENCY_HALF_LIFE_DAYS = 90.0

# Endings of the names of places residents complain about, longest first so 新城小区 is one name.
# fmt: off
_SUFFIXES = sorted(
    [
        "小区", "花园", "家园", "新城", "新村", "公寓", "大厦", "广场", "山庄", "庄园",
        "公馆", "华府", "名苑", "雅苑", "花苑", "佳苑", "豪庭", "苑", "园", "城",
        "湾", "郡", "村", "镇", "街道", "社区", "路", "街", "大道", "巷", "学校",
        "学院", "大学", "中学", "小学", "幼儿园", "医院", "卫生院", "市场", "商场",
        "超市", "公司", "集团", "车站", "南站", "北站", "东站", "西站", "火车站",
        "高铁站", "汽车站", "公园", "项目", "工地", "楼盘", "酒店", "宾馆", "厂", "工厂",
        "搅拌站", "工业园", "景区",
    ],
    key=len,
    reverse=True,
)
# An ending followed by these is part of another word: 路灯, 城管, 园林, 村民, 镇政府 …
_NOT_AFTER = {
    "路": "灯面况线费边段障由过人径程基牌标口子",
    "城": "管市区乡中镇际墙里建",
    "园": "林区艺丁长",
    "村": "民委干组级里",
    "镇": "政府人党委干里",
    "街": "头面边坊",
    "湾": "里",
    "厂": "家商房区长",
    "市场": "监价化",
    "公司": "员",
}
_SUFFIX = re.compile(
    "|".join(re.escape(s) + (f"(?![{_NOT_AFTER[s]}])" if s in _NOT_AFTER else "") for s in _SUFFIXES)
)
# Characters a place name does not run across when read backwards from its ending: punctuation, digits,
# function words, and the ends of a road or district before the estate on it (万家丽路|锦楚国际星城).
_STOPS = set(
    "的在于是了与及对向给到从住近旁边我你他她们请把被让为由有等个该这那哪市区县省将就都也还又并而但"
    "路街道巷导致位属称叫要求说到"
    "，。、；：！？,.;:!?()（）【】[]《》“”\"' \n\t0123456789几多每各某本此其"
)
# Stems that make a common noun with their ending, not a name (公立幼儿园, 物业公司, 人行道路 …).
_GENERIC = {
    "小", "新", "老", "大", "公", "马", "城", "农", "学", "中", "全", "整",
    "同", "所", "周", "校", "医", "外", "内", "上", "下", "前", "后", "东",
    "西", "南", "北", "高", "低", "家", "花", "商", "工", "广", "公共",
    "县城", "农村", "城乡", "社", "乡", "居民", "附近", "周边", "公立", "私立",
    "民办", "物业", "业主", "开发", "房地产", "建筑", "施工", "小学", "中学", "人行",
    "铁", "线", "公交", "城际", "卫生", "文明", "历史文化名", "名", "该", "此",
    "本", "地铁", "高铁", "火", "汽车", "安置", "回迁", "老旧", "各", "每",
    "整个", "限", "有限", "责任", "集", "政", "人民政", "法", "学生", "第",
    "第一", "第二", "一", "二", "三", "四", "五", "六", "七", "八", "九",
    "十", "孩子", "医疗", "垃圾", "菜", "农贸", "停车", "生产", "加工", "化",
    "临", "沿", "过", "燃气", "供水", "供电", "自来水", "电力", "保洁", "绿化",
    "环卫", "出租车", "快递", "网络", "通信", "电信", "移动", "联通", "保险", "劳务",
    "中介", "装修", "培训", "教育", "旅游", "科技", "投资", "担保", "管理", "服务",
    "运输", "客运", "公交公司", "建设", "设计", "规划", "检测", "地产", "置业",
}
# fmt: on
_SELF_NAMED = {"南站", "北站", "东站", "西站", "火车站", "高铁站", "汽车站"}
_JOINERS = "和及与同跟"  # 物业公司和公立幼儿园: a name does not start with "and"
_REGION = re.compile(r"(?<![a-z])[a-z]\d{0,2}[市区县]")
_NAME_LEN = 7
_COMMON_NAME = 0.05  # a "name" in more than this share of the reports is a common noun (物业公司)
_COMMON_MIN = 25


@lru_cache(maxsize=200_000)
def places(text: str) -> tuple[str, ...]:
    """Named places in `text`, in order of appearance: the longest run before a place ending that does not
    cross punctuation, digits or a function word (也 的 在 …). `A5区魅力之城小区临街` gives 魅力之城小区."""
    text = normalise(text)
    found: list[tuple[int, int]] = []
    barrier = 0  # the end of the previous ending: a name runs across it only if it follows straight on
    for match in _SUFFIX.finditer(text):
        end = match.end()
        start = match.start()
        floor = barrier if barrier < match.start() else 0
        while start > floor and match.start() - start < _NAME_LEN and text[start - 1] not in _STOPS:
            if not ("\u4e00" <= text[start - 1] <= "\u9fff" or text[start - 1].isalpha()):
                break
            start -= 1
        barrier = end
        if text[start] in _JOINERS and match.start() - start > 2:
            start += 1
        stem = text[start : match.start()]
        if match.group() in _SELF_NAMED and len(stem) < 2:
            start = match.start()  # 南站 is a name on its own
        elif len(stem) < 2 or stem in _GENERIC:
            continue
        # 丽发新城小区: the run ending in 小区 swallows the one ending in 新城
        if found and found[-1][0] == start and found[-1][1] <= end:
            found[-1] = (start, end)
        elif found and found[-1][0] <= start and end <= found[-1][1]:
            continue
        else:
            found.append((start, end))
    return tuple(dict.fromkeys(text[start:end] for start, end in found))


@lru_cache(maxsize=200_000)
def regions(text: str) -> frozenset[str]:
    """Cities and districts named in `text` as anonymised exports write them (a市, a5区, k8县), lower case."""
    return frozenset(_REGION.findall(normalise(text)))


def regions_differ(a: Set[str], b: Set[str]) -> bool:
    """Both name a city and no city is common (g市 / l市), or both name a district and no district is
    common (a3区 / a5区). A district's city is its letter, so a市 and a5区 do not differ."""
    cities_a, cities_b = {r[0] for r in a}, {r[0] for r in b}
    if cities_a and cities_b and not cities_a & cities_b:
        return True
    districts_a = {r for r in a if len(r) > 2}
    districts_b = {r for r in b if len(r) > 2}
    return bool(districts_a and districts_b and not districts_a & districts_b)


def _pairs(name: str) -> set[str]:
    return {name[i : i + 2] for i in range(len(name) - 1)} or {name}


def places_alike(a: Sequence[str], b: Sequence[str]) -> float:
    """How much the best-matching names of `a` and `b` share: 1 for 魅力之城 / 魅力之城小区, about 0.6 for
    锦楚国际星城 / 锦楚国际新城, 0 for different places. Shared endings (小区) alone do not count."""
    best = 0.0
    for x in a:
        px = _pairs(_strip(x))
        for y in b:
            py = _pairs(_strip(y))
            best = max(best, len(px & py) / min(len(px), len(py)))
    return best


def _strip(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Message:
    """One report: a message on a board, a hotline call, a ticket."""

    id: str
    title: str
    description: str
    time: dt.datetime | None = None
    likes: int = 0
    dislikes: int = 0
    lat: float | None = None
    lng: float | None = None
    area: str = ""  # the grid, when the report is a ticket


@dataclass
class Group:
    """Reports of one problem at one place, with what a centre needs to act on it."""

    ids: list[str]
    heat: float
    description: str
    place: str
    start: dt.datetime | None
    end: dt.datetime | None
    support: int = 0
    members: list[int] = field(default_factory=list, repr=False)  # positions in the input

    def as_json(self) -> dict:
        return {
            "ids": self.ids,
            "heat": round(self.heat, 2),
            "description": self.description,
            "place": self.place,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }


class _Grams:
    """Character 2–3-grams of texts, counted once per text and kept (a ticket is a candidate of many
    checks). Each gram has a number for the life of the process, so a set of texts becomes a sparse
    matrix with numpy alone."""

    LIMIT = 2_000_000  # distinct grams before the numbering starts afresh (and the counts with it)

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.counted = lru_cache(maxsize=200_000)(self._count)

    def _count(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        if len(self.ids) > self.LIMIT:
            self.ids.clear()
            self.counted.cache_clear()
        grams = Counter(text[i : i + n] for n in (2, 3) for i in range(len(text) - n + 1))
        ids = np.fromiter(
            (self.ids.setdefault(g, len(self.ids)) for g in grams), dtype=np.int64, count=len(grams)
        )
        tf = 1 + np.log(np.fromiter(grams.values(), dtype=np.float32, count=len(grams)))  # sublinear
        return ids, tf.astype(np.float32)

    def tfidf(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """What TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True) gives, L2 rows
        and smoothed idf over `texts`, in columns of this process's numbering."""
        counted = [self.counted(t) for t in texts]
        lengths = np.fromiter((len(ids) for ids, _ in counted), dtype=np.int64, count=len(counted))
        if not lengths.sum():
            return sparse.csr_matrix((len(texts), 1), dtype=np.float32)
        columns = np.concatenate([ids for ids, _ in counted])
        values = np.concatenate([tf for _, tf in counted])
        _, compact = np.unique(columns, return_inverse=True)
        df = np.bincount(compact)
        idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
        values = values * idf[compact]
        pointers = np.concatenate([[0], np.cumsum(lengths)])
        matrix = sparse.csr_matrix((values, compact, pointers), shape=(len(texts), len(df)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return sparse.csr_matrix(sparse.diags(1 / norms) @ matrix, dtype=np.float32)


_grams = _Grams()


@lru_cache(maxsize=200_000)
def without(text: str, names: tuple[str, ...] = ()) -> str:
    """`text` (normalised) with the place names blanked: what is left says what the problem is."""
    text = normalise(text)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "#")
    return text


def text_matrix(messages: Sequence[Message], names: Sequence[tuple[str, ...]] = ()) -> sparse.csr_matrix:
    """Rows whose dot products are the text similarity: half titles, half title and description, with
    each message's place `names` blanked (the places are compared apart, by `adjust`)."""
    names = list(names) or [()] * len(messages)
    titles = [without(m.title, n) for m, n in zip(messages, names, strict=True)]
    wholes = [without(f"{m.title} {m.description}", n) for m, n in zip(messages, names, strict=True)]
    blocks = [_grams.tfidf(titles), _grams.tfidf(wholes)]
    if blocks[0].nnz == 0:
        return blocks[1]
    return (sparse.hstack(blocks) * np.float32(math.sqrt(0.5))).tocsr()


@dataclass(frozen=True)
class Where:
    """What a report says about its place: named places (in the whole text, and in the title alone) and
    the cities and districts it names at its start."""

    names: tuple[str, ...] = ()
    title_names: tuple[str, ...] = ()
    regions: frozenset[str] = frozenset()

    @classmethod
    def of(cls, message: Message, common: Set[str] = frozenset()) -> Where:
        whole = [n for n in places(f"{message.title} {message.description}") if n not in common]
        title = [n for n in places(message.title) if n not in common]
        return cls(
            names=tuple(whole),
            title_names=tuple(title),
            regions=regions(f"{message.title} {message.description[:60]}"),
        )


def adjust(
    similarity: float, a: Message, b: Message, where_a: Where, where_b: Where, *, time_scale: float | None
) -> float:
    """The text similarity of two reports, moved by where (and, given `time_scale` in days, when) they are.
    A place in common multiplies the similarity rather than adding to it: the same estate with another
    problem (停电 and 拆迁 at one town) is another problem."""
    if _located(a) and _located(b) and metres(a.lat, a.lng, b.lat, b.lng) > NEAR_METRES:  # type: ignore[arg-type]
        return 0.0
    alike = places_alike(where_a.names, where_b.names) if where_a.names and where_b.names else None
    if alike is not None and alike >= PLACE_ALIKE:
        similarity *= 1 + PLACE_BONUS * alike
    elif (
        where_a.title_names
        and where_b.title_names
        and not places_alike(where_a.title_names, where_b.title_names)
    ):
        similarity *= PLACE_CONFLICT
    elif alike == 0:
        similarity *= TEXT_PLACE_CONFLICT
    if regions_differ(where_a.regions, where_b.regions):
        similarity *= PLACE_CONFLICT
    if not ((_located(a) and _located(b)) or (a.area and a.area == b.area)):
        if not (where_a.names or where_b.names):
            similarity *= NO_PLACE
        elif not (where_a.names and where_b.names):
            similarity *= ONE_PLACE
    if time_scale and a.time is not None and b.time is not None:
        days = abs((a.time - b.time).total_seconds()) / 86400
        similarity /= 1 + days / time_scale
    return similarity


def _located(m: Message) -> bool:
    return m.lat is not None and m.lng is not None


def common_names(named: Sequence[Sequence[str]]) -> set[str]:
    """Names found in so many reports that they are common nouns the extraction took for names."""
    counts = Counter(n for names in named for n in set(names))
    limit = max(_COMMON_MIN, _COMMON_NAME * len(named))
    return {n for n, c in counts.items() if c > limit}


class Pairs:
    """Similarities of all pairs of `messages` worth comparing (sparse: unrelated pairs are absent)."""

    def __init__(self, messages: Sequence[Message], *, time_scale: float | None = None):
        self.messages = list(messages)
        self.time_scale = time_scale
        common = common_names([places(f"{m.title} {m.description}") for m in self.messages])
        self.where = [Where.of(m, common) for m in self.messages]
        self.matrix = text_matrix(self.messages, [w.names for w in self.where])

    def similarities(self, chunk: int = 2000) -> dict[tuple[int, int], float]:
        """{(i, j): similarity} for i < j, similarity ≥ EDGE."""
        out: dict[tuple[int, int], float] = {}
        n = len(self.messages)
        floor = EDGE / (1 + PLACE_BONUS)  # a place in common can lift a low text similarity over EDGE
        for lo in range(0, n, chunk):
            block = (self.matrix[lo : lo + chunk] @ self.matrix.T).tocoo()
            keep = (block.data >= floor) & (block.row + lo < block.col)
            for i, j, s in zip(block.row[keep] + lo, block.col[keep], block.data[keep], strict=True):
                value = self.adjusted(int(i), int(j), float(s))
                if value >= EDGE:
                    out[(int(i), int(j))] = value
        return out

    def like_the_first(self) -> list[tuple[int, float]]:
        """(j, similarity) of every other message to the first one, best first."""
        if len(self.messages) < 2:
            return []
        texts = (self.matrix[1:] @ self.matrix[0].T).toarray().ravel()
        scored = [(j, self.adjusted(0, j, float(texts[j - 1]))) for j in range(1, len(self.messages))]
        return sorted(scored, key=lambda x: -x[1])

    def adjusted(self, i: int, j: int, similarity: float) -> float:
        m, w = self.messages, self.where
        return adjust(similarity, m[i], m[j], w[i], w[j], time_scale=self.time_scale)


def average_linkage(n: int, similarities: dict[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """Agglomerative groups of 0..n-1: the two groups with the highest mean pairwise similarity (absent
    pairs count 0) join while that mean reaches `threshold`. Sparse, so thousands of reports take seconds."""
    size = [1] * n
    links: list[dict[int, float]] = [{} for _ in range(n)]
    for (i, j), s in similarities.items():
        links[i][j] = links[j][i] = s
    heap = [(-s, i, j) for (i, j), s in similarities.items() if s >= threshold]
    heapq.heapify(heap)
    alive = [True] * n
    members: list[list[int]] = [[i] for i in range(n)]
    while heap:
        negative, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        total = links[a].get(b)
        if total is None or abs(total / (size[a] * size[b]) + negative) > 1e-9:
            continue  # stale: one side has grown since this entry was pushed
        if size[a] < size[b] or (size[a] == size[b] and len(links[a]) < len(links[b])):
            a, b = b, a
        alive[b] = False
        members[a] += members[b]
        members[b] = []
        del links[a][b]
        for c, s in links[b].items():
            if c == a:
                continue
            del links[c][b]
            merged = links[a].get(c, 0.0) + s
            links[a][c] = links[c][a] = merged
        size[a] += size[b]
        links[b] = {}
        for c, s in links[a].items():
            mean = s / (size[a] * size[c])
            if mean >= threshold:
                heapq.heappush(heap, (-mean, min(a, c), max(a, c)))
    return [sorted(m) for m in members if m]


def heat(group: Sequence[Message], newest: dt.datetime | None) -> float:
    """The ranking of the module docstring."""
    reports = len({(normalise(m.title), normalise(m.description)) for m in group})
    support = sum(max(m.likes - m.dislikes, 0) for m in group)
    times = [m.time for m in group if m.time is not None]
    span = (max(times) - min(times)).total_seconds() / 86400 if times else 0.0
    age = (newest - max(times)).total_seconds() / 86400 if times and newest else 0.0
    return (
        (reports + SUPPORT_WEIGHT * math.log2(1 + support))
        * (1 + SPAN_WEIGHT * math.log2(1 + span))
        * (0.5 + 0.5 * 2 ** (-age / RECENCY_HALF_LIFE_DAYS))
    )


def _centres(groups: list[list[int]], pairs: dict[tuple[int, int], float]) -> list[int]:
    """Per group, the member most like the others (its title describes the group): one pass over pairs."""
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    score = dict.fromkeys(group_of, 0.0)
    for (i, j), s in pairs.items():
        if group_of[i] == group_of[j]:
            score[i] += s
            score[j] += s
    return [max(members, key=lambda i: (score[i], -i)) for members in groups]


def _when(m: Message) -> tuple[bool, float, str]:
    return (m.time is None, m.time.timestamp() if m.time else 0.0, m.id)


def group_messages(messages: Sequence[Message], *, threshold: float = GROUP_THRESHOLD) -> list[Group]:
    """Groups of `messages`, hottest first (singletons included: one report with wide support is hot)."""
    if not messages:
        return []
    pairs_of = Pairs(messages)
    similarities = pairs_of.similarities()
    members_list = average_linkage(len(messages), similarities, threshold)
    times = [m.time for m in messages if m.time is not None]
    newest = max(times) if times else None
    groups = []
    for members, centre in zip(members_list, _centres(members_list, similarities), strict=True):
        group = [messages[i] for i in members]
        # the place most members name in their titles; in their texts when titles name none
        named = Counter(p for i in members for p in dict.fromkeys(pairs_of.where[i].title_names))
        named = named or Counter(p for i in members for p in dict.fromkeys(pairs_of.where[i].names))
        stamps = sorted(m.time for m in group if m.time is not None)
        groups.append(
            Group(
                ids=[m.id for m in sorted(group, key=_when)],
                heat=heat(group, newest),
                description=messages[centre].title or messages[centre].description[:60],
                place=named.most_common(1)[0][0] if named else "",
                start=stamps[0] if stamps else None,
                end=stamps[-1] if stamps else None,
                support=sum(max(m.likes - m.dislikes, 0) for m in group),
                members=members,
            )
        )
    groups.sort(key=lambda g: (-g.heat, -len(g.ids), g.ids[0]))
    return groups


@dataclass
class PairScore:
    threshold: float
    pairs: int
    same: int
    precision: float
    recall: float
    f1: float


def score_pairs(
    messages: Sequence[Message], labelled: Sequence[tuple[int, int, bool]], thresholds: Sequence[float],
    *, time_scale: float | None = None,
) -> list[PairScore]:  # fmt: skip
    """Precision and recall of "same problem" (similarity ≥ threshold) on pairs labelled by people."""
    pairs = Pairs(messages, time_scale=time_scale)
    scored = []
    for i, j, same in labelled:
        text = float((pairs.matrix[i] @ pairs.matrix[j].T).toarray()[0, 0])
        scored.append((pairs.adjusted(i, j, text), same))
    out = []
    positives = sum(same for _, same in scored)
    for threshold in thresholds:
        hits = sum(1 for s, same in scored if s >= threshold and same)
        said = sum(1 for s, _ in scored if s >= threshold)
        precision = hits / said if said else 1.0
        recall = hits / positives if positives else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out.append(PairScore(threshold, len(scored), positives, precision, recall, f1))
    return out


ID_COLUMNS = ("id", "编号", "留言编号", "工单编号")
TEXT_COLUMNS = (*evaluation.TEXT_COLUMNS, "详情")
TIME_COLUMNS = ("time", "date", "时间", "留言时间", "来电时间", "提交时间")
LIKE_COLUMNS = ("likes", "like", "点赞数", "支持数", "赞")
DISLIKE_COLUMNS = ("dislikes", "dislike", "反对数", "踩")
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d",
                 "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y年%m月%d日")  # fmt: skip


def parse_time(text: str) -> dt.datetime | None:
    text = text.strip().split(".")[0]
    for layout in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, layout)
        except ValueError:
            continue
    return None


def _count(text: str) -> int:
    try:
        return max(int(float(text or 0)), 0)
    except ValueError:
        return 0


def read_messages(path: str) -> list[Message]:
    """Messages from a csv, tsv or xlsx file with a header: id, title, description, time, likes,
    dislikes (the TipDM names 留言编号, 留言主题, 留言详情, 留言时间, 点赞数, 反对数 work too). Only a text
    is required; an unreadable time is left empty, a missing id is the row number."""
    rows = read_rows(path)
    header = rows[0]
    at = {
        name: pick_column(header, names)
        for name, names in (
            ("id", ID_COLUMNS), ("title", evaluation.TITLE_COLUMNS), ("text", TEXT_COLUMNS),
            ("time", TIME_COLUMNS), ("likes", LIKE_COLUMNS), ("dislikes", DISLIKE_COLUMNS),
        )
    }  # fmt: skip
    if at["title"] is None and at["text"] is None:
        raise RouterError(f"{path}: the header names no title or description column")

    def cell(row: list[str], name: str) -> str:
        i = at[name]
        return row[i].strip() if i is not None and i < len(row) else ""

    messages = []
    for number, row in enumerate(rows[1:], start=2):
        title, text = cell(row, "title"), cell(row, "text")
        if not (title or text):
            continue
        messages.append(
            Message(
                id=cell(row, "id") or str(number),
                title=title,
                description=text,
                time=parse_time(cell(row, "time")),
                likes=_count(cell(row, "likes")),
                dislikes=_count(cell(row, "dislikes")),
            )
        )
    if not messages:
        raise RouterError(f"{path}: no row has a text")
    return messages


def describe(groups: Sequence[Group], top: int) -> str:
    """The top groups as a centre reads them: rank, heat, reports, support, place, time range, description
    and member ids."""
    lines = []
    for rank, g in enumerate(groups[:top], start=1):
        span = f"{g.start:%Y-%m-%d} 至 {g.end:%Y-%m-%d}" if g.start and g.end else "时间不详"
        lines.append(
            f"{rank:>3}. 热度 {g.heat:.1f}  {len(g.ids)} 条  点赞 {g.support}  地点 {g.place or '—'}  {span}"
        )
        lines.append(f"     {g.description}")
        lines.append(f"     编号 {', '.join(g.ids)}")
    return "\n".join(lines)

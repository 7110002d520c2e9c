"""Grouping reports of one problem at one place, the heat ranking and `cluster_eval`."""

import csv
import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from wangge.routing import clusters
from wangge.routing.clusters import Message, average_linkage, group_messages, places, score_pairs
from wangge.routing.tests.planted import HOT, board, write


def test_finds_the_named_places():
    assert places("A市A5区金桂苑小区临街餐馆油烟噪音扰民") == ("金桂苑小区",)
    assert places("地铁施工导致A市万家丽路锦楚国际星城小区停电") == ("万家丽路", "锦楚国际星城小区")
    assert places("希望尽快维修路灯，城管也不管") == ()  # 路灯 and 城管 are not places
    assert places("我们去了物业公司和公立幼儿园") == ()  # common nouns, not names
    assert clusters.places_alike(["锦楚国际星城小区"], ["锦楚国际新城"]) >= clusters.PLACE_ALIKE
    assert clusters.places_alike(["金桂苑小区"], ["翠湖湾小区"]) == 0  # 小区 alone is not a match


def test_regions_differ_only_between_cities_or_between_districts():
    assert clusters.regions_differ({"g市"}, {"l市"})
    assert clusters.regions_differ({"a3区"}, {"a5区"})
    assert not clusters.regions_differ({"a市"}, {"a5区"})
    assert not clusters.regions_differ({"a市", "a5区"}, {"a5区"})
    assert not clusters.regions_differ(set(), {"a5区"})


def test_tfidf_is_the_scikit_learn_one():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["楼道灯不亮", "3号楼楼道灯坏了", "电梯停运，老人下不了楼", "", "楼道灯不亮"]
    ours = clusters._grams.tfidf(texts)
    reference = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(texts)
    assert abs((ours @ ours.T).toarray() - (reference @ reference.T).toarray()).max() < 1e-5


def test_average_linkage_does_not_chain():
    # a~b and b~c are close, a and c unrelated: b joins one of them, the third stays alone
    groups = average_linkage(3, {(0, 1): 0.9, (1, 2): 0.8}, threshold=0.5)
    assert sorted(map(len, groups)) == [1, 2]
    assert [0, 1] in groups
    assert average_linkage(3, {(0, 1): 0.9, (1, 2): 0.8, (0, 2): 0.6}, threshold=0.5) == [[0, 1, 2]]
    assert average_linkage(2, {}, threshold=0.5) == [[0], [1]]


@pytest.mark.parametrize("seed", [0, 1])
def test_every_planted_hot_problem_is_one_group_in_the_top_ten(seed):
    rows = board(seed)
    truth = {r.id: r.planted for r in rows}
    groups = group_messages(
        [Message(r.id, r.title, r.description, r.time, r.likes, r.dislikes) for r in rows]
    )
    sizes = Counter(r.planted for r in rows if r.planted)
    assert len(sizes) == len(HOT)
    for key, size in sizes.items():
        rank, group = max(enumerate(groups, 1), key=lambda g: sum(truth[i] == key for i in g[1].ids))
        found = sum(truth[i] == key for i in group.ids)
        assert rank <= 10, (key, rank)
        assert found >= 0.9 * size, (key, found, size)  # its messages
        assert found >= 0.9 * len(group.ids), (key, group.ids)  # and little else
    # the background (one problem at one place each) stays in small groups
    assert max(len(g.ids) for g in groups if not any(truth[i] for i in g.ids)) <= 6


def test_heat_weighs_reports_support_span_and_recency():
    now = dt.datetime(2020, 1, 1)

    def reports(n: int, likes: int = 0, days_ago: float = 0, span: float = 0) -> list[Message]:
        return [
            Message(
                str(i), f"t{i}", f"d{i}", now - dt.timedelta(days=days_ago + span * i / max(n - 1, 1)), likes
            )
            for i in range(n)
        ]

    assert clusters.heat(reports(10), now) > clusters.heat(reports(5), now)
    assert clusters.heat(reports(3, likes=1000), now) > clusters.heat(reports(10), now)
    assert clusters.heat(reports(5, span=60), now) > clusters.heat(reports(5), now)
    assert clusters.heat(reports(5, days_ago=180), now) < clusters.heat(reports(5), now)
    same_text = [Message(str(i), "同一个标题", "同一段内容", now) for i in range(5)]
    assert clusters.heat(same_text, now) == clusters.heat(reports(1), now)  # one text posted five times


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("cluster_eval", *args, stdout=out)
    return out.getvalue()


def test_cluster_eval_prints_and_writes_the_ranked_groups(tmp_path):
    rows = board(0)
    source, target = tmp_path / "messages.csv", tmp_path / "groups.json"
    write(rows, source)
    out = run("--input", str(source), "--top", "3", "--json", str(target))
    assert f"{len(rows)} messages" in out
    assert out.count("热度") == 3 and "金桂" in out
    groups = json.loads(target.read_text("utf-8"))
    assert sum(len(g["ids"]) for g in groups) == len(rows)
    assert [g["heat"] for g in groups] == sorted((g["heat"] for g in groups), reverse=True)
    first = groups[0]
    assert set(first) == {"ids", "heat", "description", "place", "start", "end"}
    planted = {r.id: r.planted for r in rows}
    assert {planted[i] for i in first["ids"]} == {"oil"}
    assert first["place"].startswith("金桂") and "油烟" in first["description"]
    assert first["start"] <= first["end"] and first["start"].startswith("2019-")
    assert all(i in out for i in first["ids"])


def test_cluster_eval_reads_the_board_export_names(tmp_path):
    source = tmp_path / "附件3.tsv"
    lines = ["留言编号\t留言用户\t留言主题\t留言时间\t留言详情\t反对数\t点赞数"]
    for i in range(4):
        lines.append(
            f"{i}\tu{i}\tA市同升湖山庄是邮政盲区{i}\t2019/3/{i + 1} 10:00:00"
            f"\t同升湖山庄收不到快递和信件\t0\t{i}"
        )
    lines.append("9\tu9\t路灯坏了\t不是时间\t青山路路灯坏了\tx\t")
    source.write_text("\n".join(lines) + "\n", "utf-8")
    out = run("--input", str(source), "--top", "2")
    assert "5 messages" in out and "2 groups" in out
    assert "同升湖山庄" in out and "0, 1, 2, 3" in out and "2019-03-01 至 2019-03-04" in out
    assert "时间不详" in out  # the unreadable time is left out, not an error


def test_cluster_eval_says_what_is_wrong(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run("--input", str(tmp_path / "none.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(CommandError, match="no title or description"):
        run("--input", str(bad))
    with pytest.raises(CommandError, match="at least 1"):
        run("--input", str(bad), "--top", "0")


def test_duplicate_pairs_labelled_from_real_messages(messages_csv):
    """The labelled pairs (README: how they were made) and the precision/recall the README quotes."""
    rows = list(csv.DictReader(messages_csv.open(encoding="utf-8")))
    messages = [Message(str(i), r["title"], r["description"]) for i, r in enumerate(rows)]
    labelled_file = clusters.__file__.replace("clusters.py", "data/duplicate_pairs_messages.csv")
    with open(labelled_file, encoding="utf-8") as f:
        labelled = [(int(r["first"]), int(r["second"]), r["same"] == "1") for r in csv.DictReader(f)]
    assert len(labelled) >= 250 and sum(s for *_, s in labelled) >= 5
    [figures] = score_pairs(messages, labelled, [clusters.SAME_THRESHOLD])
    assert figures.precision >= 0.5 and figures.recall >= 0.5

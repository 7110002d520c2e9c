import ast
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from wangge.routing import classifier
from wangge.routing.classifier import BASELINE, Block, Example, Router, RouterError, char_ngrams
from wangge.routing.evaluation import cross_validate, read_examples

CORE = ("classifier.py", "evaluation.py")
TEXTS = ["楼道灯不亮，  物业不管", "ＡＢＣ小区  噪音扰民！！", "a", "", "路灯   坏了\n很久"]


def test_the_core_imports_no_django():
    for name in CORE:
        tree = ast.parse((Path(classifier.__file__).parent / name).read_text())
        modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in modules if m.startswith("django")], name


def test_char_ngrams_are_the_ones_scikit_learn_makes():
    analyzer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).build_analyzer()
    for text in TEXTS:
        assert sorted(char_ngrams(text, 1, 3)) == sorted(analyzer(text))


@pytest.mark.parametrize("sublinear", [False, True])
def test_a_block_computes_what_the_vectorizer_computes(sublinear):
    pairs = [("楼道灯", "不亮 物业不管 楼道灯"), ("", "小区噪音扰民"), ("路灯", "坏了很久 路灯")]
    text = classifier.FIELDS["reference"]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=sublinear)
    vectorizer.fit([text(t, d) for t, d in pairs])
    block = Block.of("reference", vectorizer, offset=0)
    for title, description in [*pairs, ("楼道", "路灯不亮"), ("全是", "新字")]:
        expected = vectorizer.transform([text(title, description)]).toarray()[0]
        columns, values = block.vector(title, description)
        got = np.zeros_like(expected)
        got[columns] = values
        assert np.allclose(got, expected, atol=1e-6)


def test_routes_real_messages_better_than_the_baseline(messages_csv):
    results = cross_validate(read_examples(messages_csv), folds=3)
    ours, baseline = results["router"], results[BASELINE]
    assert ours.tested == baseline.tested == 457
    assert ours.accuracy > 0.78
    assert ours.accuracy >= baseline.accuracy
    assert ours.macro_f1 >= baseline.macro_f1
    assert set(ours.per_label) == {
        "城乡建设",
        "劳动和社会保障",
        "教育文体",
        "商贸旅游",
        "环境保护",
        "卫生计生",
        "交通运输",
    }


def test_confidence_is_calibrated_on_a_second_domain(complaints_tsv):
    examples = read_examples(complaints_tsv)
    assert len(examples) == 2400 and not any(e.title for e in examples)
    ours = cross_validate(examples, folds=3, kinds=("router",))["router"]
    assert ours.accuracy > 0.85
    assert ours.calibration_error < 0.06


def test_predicts_top_k_and_survives_a_round_trip(messages_csv):
    examples = read_examples(messages_csv)
    router = Router.train(examples)
    guesses = router.predict("小区门口垃圾成堆无人清运", "垃圾桶满了好几天，臭气熏天，请环卫部门处理", k=3)
    assert len(guesses) == 3
    assert [g.confidence for g in guesses] == sorted((g.confidence for g in guesses), reverse=True)
    assert 0 < sum(g.confidence for g in guesses) <= 1.0001
    again = Router.from_bytes(router.to_bytes())
    for e in examples[:20]:
        assert np.allclose(
            router.probabilities(e.title, e.description), again.probabilities(e.title, e.description)
        )
    assert again.info["examples"] == 457 and again.labels == router.labels


def test_refuses_what_it_cannot_use():
    with pytest.raises(RouterError, match="two labels"):
        Router.train([Example("a", "b", "x"), Example("c", "d", "x")])
    with pytest.raises(RouterError, match="not a saved router"):
        Router.from_bytes(b"not a model")
    two = Router.train([Example("路灯坏了", "", "照明"), Example("噪音扰民", "", "噪音")] * 3)
    assert {g.label for g in two.predict("路灯又坏了", "", k=2)} == {"照明", "噪音"}
    assert two.predict("路灯又坏了", "", k=1)[0].label == "照明"
    blob = two.to_bytes()
    old = classifier.FORMAT
    try:
        classifier.FORMAT = old + 1
        with pytest.raises(RouterError, match="format"):
            Router.from_bytes(blob)
    finally:
        classifier.FORMAT = old


def test_reads_headed_and_headless_files(tmp_path):
    headed = tmp_path / "a.csv"
    headed.write_text(
        'title,description,category\n灯坏了,"楼道灯, 不亮",照明\n,只有内容,噪音\n无分类,内容,\n', "utf-8"
    )
    assert read_examples(headed) == [
        Example("灯坏了", "楼道灯, 不亮", "照明"),
        Example("", "只有内容", "噪音"),
    ]
    headless = tmp_path / "b.tsv"
    headless.write_text('客户说"信号差\t网络问题\n费用不对\t费用问题\n', "utf-8")
    assert [e.label for e in read_examples(headless)] == ["网络问题", "费用问题"]
    with pytest.raises(RouterError, match="cannot read"):
        read_examples(tmp_path / "missing.csv")
    empty = tmp_path / "c.csv"
    empty.write_text("title,description,category\n", "utf-8")
    with pytest.raises(RouterError, match="no row"):
        read_examples(empty)

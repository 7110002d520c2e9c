import io
import re

import pytest
from django.core.management import CommandError, call_command

from wangge.routing.evaluation import read_examples


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("route_eval", *args, "-v0", stdout=out)
    return out.getvalue()


def figures(output: str, name: str) -> list[float]:
    line = next(x for x in output.splitlines() if x.startswith(name))
    return [float(v) for v in re.findall(r"\d+\.\d+", line)]


def test_cross_validates_the_messages(messages_csv):
    out = run("--train", str(messages_csv), "--folds", "3")
    assert "3-fold cross-validation on 457 examples" in out
    accuracy, baseline, ratio = figures(out, "accuracy")
    assert 0.78 < accuracy <= 1 and 0.7 < baseline <= 1
    assert ratio == pytest.approx(accuracy / baseline, abs=0.002)
    assert len(figures(out, "macro-F1")) == 3
    assert len(figures(out, "prediction p95 ms")) == 3
    assert "商贸旅游" in out and "training s" in out


def test_trains_and_tests_on_two_files(complaints_tsv, tmp_path):
    rows = complaints_tsv.read_text("utf-8").splitlines()
    train, test = tmp_path / "train.tsv", tmp_path / "test.tsv"
    train.write_text("\n".join(rows[::2]) + "\n", "utf-8")
    test.write_text("\n".join(rows[1::2]) + "\n", "utf-8")
    out = run("--train", str(train), "--test", str(test))
    assert "trained on 1200 examples" in out and "tested on 1200" in out
    assert figures(out, "accuracy")[0] > 0.8
    assert len(read_examples(test)) == 1200


def test_says_what_is_wrong(tmp_path, messages_csv):
    with pytest.raises(CommandError, match="either --test FILE or --folds K"):
        run("--train", str(messages_csv))
    with pytest.raises(CommandError, match="cannot read"):
        run("--train", str(tmp_path / "none.csv"), "--folds", "3")
    with pytest.raises(CommandError, match="at least 2"):
        run("--train", str(messages_csv), "--folds", "1")

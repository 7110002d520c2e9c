"""Measuring routers: read labelled files, split, train, score, and print the figures side by side.

`route_eval` is a thin command over this module, and the retraining task uses `score` to decide whether a
new model may replace the old one. No Django here.
"""

from __future__ import annotations

import csv
import io
import statistics
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import KFold, StratifiedKFold

from wangge.routing.classifier import BASELINE, ROUTER, Example, Guess, Router, RouterError

TITLE_COLUMNS = ("title", "标题", "留言主题", "主题")
TEXT_COLUMNS = ("description", "text", "content", "诉求内容", "留言详情", "内容")
LABEL_COLUMNS = ("category", "label", "分类", "一级分类", "诉求类型")
LATENCY_SAMPLE = 300  # single predictions timed per model
CALIBRATION_BINS = 10

csv.field_size_limit(50_000_000)


def pick_column(header: list[str], names: Sequence[str]) -> int | None:
    lowered = [h.strip().lower().lstrip("\ufeff") for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def read_rows(path: str | Path) -> list[list[str]]:
    """The non-empty rows of a csv, tsv or xlsx file (the first sheet), as text."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RouterError(f"{path}: cannot read it ({error})") from error
    delimiter = "\t" if path.suffix.lower() == ".tsv" or raw.split("\n", 1)[0].count("\t") else ","
    # Tab-separated exports do not quote: a stray " inside a complaint must not swallow the next rows.
    text = io.StringIO(raw, newline="")
    if delimiter == "\t":
        reader = csv.reader(text, delimiter=delimiter, quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(text, delimiter=delimiter)
    rows = [row for row in reader if any(c.strip() for c in row)]
    if not rows:
        raise RouterError(f"{path}: no rows")
    return rows


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # only for this format

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise RouterError(f"{path}: cannot read it as xlsx ({error})") from error
    rows = [
        ["" if c is None else c.isoformat(" ") if hasattr(c, "isoformat") else str(c) for c in row]
        for row in book.worksheets[0].iter_rows(values_only=True)
    ]
    book.close()
    rows = [row for row in rows if any(c.strip() for c in row)]
    if not rows:
        raise RouterError(f"{path}: no rows")
    return rows


def read_examples(path: str | Path) -> list[Example]:
    """Labelled texts from a csv, tsv or xlsx file: with a header naming `title`, `description` (or `text`)
    and `category` (or `label`), or without one as `text,label` or `title,description,label` rows."""
    rows = read_rows(path)
    label_at = pick_column(rows[0], LABEL_COLUMNS)
    if label_at is not None:
        title_at, text_at = pick_column(rows[0], TITLE_COLUMNS), pick_column(rows[0], TEXT_COLUMNS)
        if title_at is None and text_at is None:
            raise RouterError(f"{path}: the header names no title or description column")
        body = rows[1:]
    else:
        width = len(rows[0])
        if width < 2:
            raise RouterError(f"{path}: need a text and a label on every row")
        label_at, text_at = width - 1, width - 2
        title_at = width - 3 if width >= 3 else None
        body = rows

    def cell(row: list[str], at: int | None) -> str:
        return row[at].strip() if at is not None and at < len(row) else ""

    examples = [
        Example(title=cell(row, title_at), description=cell(row, text_at), label=cell(row, label_at))
        for row in body
    ]
    examples = [e for e in examples if e.label and (e.title or e.description)]
    if not examples:
        raise RouterError(f"{path}: no row has both a text and a label")
    return examples


@dataclass
class Result:
    """One router's figures on one test set."""

    kind: str
    accuracy: float
    macro_f1: float
    train_seconds: float
    p50_ms: float
    p95_ms: float
    calibration_error: float  # expected |confidence - accuracy| of the top guess, 10 bins
    per_label: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)  # P, R, F1, n
    tested: int = 0


def _calibration_error(confidence: np.ndarray, right: np.ndarray) -> float:
    bins = np.minimum((confidence * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    total = 0.0
    for b in range(CALIBRATION_BINS):
        inside = bins == b
        if inside.any():
            total += inside.sum() * abs(confidence[inside].mean() - right[inside].mean())
    return float(total / max(len(confidence), 1))


def latency_ms(router: Router, docs: Sequence[tuple[str, str]]) -> list[float]:
    """Milliseconds of single predictions, one document at a time, as at intake."""
    sample = list(docs[:LATENCY_SAMPLE])
    if sample:
        router.predict(*sample[0])  # first call warms caches
    times = []
    for title, description in sample:
        started = time.perf_counter()
        router.predict(title, description, k=3)
        times.append((time.perf_counter() - started) * 1000)
    return times


def score(
    kind: str,
    truth: Sequence[str],
    guesses: Sequence[Guess],
    *,
    train_seconds: float,
    latencies: Sequence[float],
) -> Result:
    predicted = [g.label for g in guesses]
    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    right = np.array([p == t for p, t in zip(predicted, truth, strict=True)], dtype=float)
    confidence = np.array([g.confidence for g in guesses])
    return Result(
        kind=kind,
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=float(
            f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)
        ),
        train_seconds=train_seconds,
        p50_ms=float(np.percentile(latencies, 50)) if latencies else 0.0,
        p95_ms=float(np.percentile(latencies, 95)) if latencies else 0.0,
        calibration_error=_calibration_error(confidence, right) if kind == ROUTER else float("nan"),
        per_label={
            label: (float(p), float(r), float(f), int(n))
            for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
            if n
        },
        tested=len(truth),
    )


def _docs(examples: Sequence[Example]) -> list[tuple[str, str]]:
    return [(e.title, e.description) for e in examples]


def evaluate(
    train: Sequence[Example],
    test: Sequence[Example],
    *,
    kinds: Sequence[str] = (ROUTER, BASELINE),
    seed: int = 0,
    progress: Callable[[], None] = lambda: None,
) -> dict[str, Result]:
    """Train each kind on `train` and score it on `test`; `progress` is called after each model."""
    results = {}
    truth = [e.label for e in test]
    for kind in kinds:
        started = time.perf_counter()
        router = Router.train(train, kind=kind, seed=seed)
        seconds = time.perf_counter() - started
        guesses = [g[0] for g in router.predict_many(_docs(test))]
        progress()
        results[kind] = score(
            kind, truth, guesses, train_seconds=seconds, latencies=latency_ms(router, _docs(test))
        )
    return results


def cross_validate(
    examples: Sequence[Example],
    *,
    folds: int,
    kinds: Sequence[str] = (ROUTER, BASELINE),
    seed: int = 0,
    progress: Callable[[], None] = lambda: None,
) -> dict[str, Result]:
    """K-fold cross-validation: every example is tested once, by a model that did not see it. The figures
    are over all folds' predictions together; training time is the mean per fold."""
    if folds < 2:
        raise RouterError("--folds needs at least 2")
    if len(examples) < folds:
        raise RouterError(f"{len(examples)} examples cannot make {folds} folds")
    labels = [e.label for e in examples]
    smallest = min(labels.count(label) for label in set(labels))
    splitter = (
        StratifiedKFold(folds, shuffle=True, random_state=seed)
        if smallest >= folds
        else KFold(folds, shuffle=True, random_state=seed)
    )
    splits = list(splitter.split(np.zeros(len(examples)), labels))
    results = {}
    for kind in kinds:
        truth: list[str] = []
        guesses: list[Guess] = []
        seconds: list[float] = []
        latencies: list[float] = []
        for train_at, test_at in splits:
            train = [examples[i] for i in train_at]
            test = [examples[i] for i in test_at]
            started = time.perf_counter()
            router = Router.train(train, kind=kind, seed=seed)
            seconds.append(time.perf_counter() - started)
            guesses += [g[0] for g in router.predict_many(_docs(test))]
            truth += [e.label for e in test]
            latencies += latency_ms(router, _docs(test)[: LATENCY_SAMPLE // folds + 1])
            progress()
        results[kind] = score(
            kind, truth, guesses, train_seconds=statistics.fmean(seconds), latencies=latencies
        )
    return results


def _pad(text: str, width: int) -> str:
    """`text` cut or padded to `width` terminal columns (a Chinese character takes two)."""
    out, used = "", 0
    for char in text:
        size = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + size > width - 1:
            break
        out, used = out + char, used + size
    return out + " " * (width - used)


def report(results: dict[str, Result]) -> str:
    """The figures as a text table: the router, the baseline and their ratio; then per label."""
    ours, base = results.get(ROUTER), results.get(BASELINE)
    shown = [r for r in (ours, base) if r is not None]
    lines = [f"{'':24}" + "".join(f"{r.kind:>12}" for r in shown) + ("       ratio" if ours and base else "")]

    def row(name: str, values: list[float], fmt: str) -> str:
        text = f"{name:24}" + "".join(f"{v:>12{fmt}}" for v in values)
        if ours and base and len(values) == 2 and values[1]:
            text += f"{values[0] / values[1]:>12.3f}"
        return text

    lines.append(row("accuracy", [r.accuracy for r in shown], ".4f"))
    lines.append(row("macro-F1", [r.macro_f1 for r in shown], ".4f"))
    lines.append(row("training s", [r.train_seconds for r in shown], ".2f"))
    lines.append(row("prediction p50 ms", [r.p50_ms for r in shown], ".2f"))
    lines.append(row("prediction p95 ms", [r.p95_ms for r in shown], ".2f"))
    if ours:
        lines.append(f"{'calibration error':24}{ours.calibration_error:>12.4f}")
    lines.append(f"{'tested':24}" + "".join(f"{r.tested:>12}" for r in shown))
    lines.append("")
    header = f"{'label':20}{'n':>6}" + "".join(f"{r.kind + ' P':>12}{'R':>7}{'F1':>7}" for r in shown)
    lines.append(header)
    labels = sorted(
        set().union(*(r.per_label for r in shown)), key=lambda x: -shown[0].per_label.get(x, (0,) * 4)[3]
    )
    for label in labels:
        n = max(r.per_label.get(label, (0, 0, 0, 0))[3] for r in shown)
        cells = ""
        for r in shown:
            p, rec, f, _ = r.per_label.get(label, (0.0, 0.0, 0.0, 0))
            cells += f"{p:>12.3f}{rec:>7.3f}{f:>7.3f}"
        lines.append(f"{_pad(label, 20)}{n:>6}{cells}")
    return "\n".join(lines)

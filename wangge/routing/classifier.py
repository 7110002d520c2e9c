"""The router (X1): learns labels (categories, units, whatever a deployment routes by) from (title,
description, label) examples and predicts the top-k labels with calibrated confidence.

No Django here: the same code serves `route_eval`, the intake suggestion and the retraining task.

What it does, and why (measured with `route_eval`, see the README):
- character 1–3-grams of title and description together, plus a second block of character 1–3-grams of the
  title alone. Titles are short summaries written for a dispatcher; giving them their own features was
  the one change that moved accuracy clearly (about +3 points on the message sample). Word n-grams from
  rjieba were tried too and changed nothing measurable, so the router needs no segmenter;
- a linear SVM, one-vs-rest;
- confidence is a softmax of the SVM scores at a temperature fitted on held-out scores (cross-validated
  for small sets, a 10 % slice for large ones), so "0.9" means right about nine times in ten.
"""

from __future__ import annotations

import io
import pickle
import re
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sklearn
from scipy import sparse
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import LinearSVC

FORMAT = 1  # bump when the saved layout changes; older files are refused, not misread
ROUTER = "router"
BASELINE = "baseline"
KINDS = (ROUTER, BASELINE)
# Dense SVM weights cost features x labels floats: many labels get fewer features each.
WEIGHT_BUDGET = 40_000_000
MAX_FEATURES = 1_000_000
MIN_FEATURES = 50_000
LARGE = 20_000  # from this many examples the temperature is fitted on one held-out slice
# Weighted rows (repeated texts) need more passes of the solver than the default 1000 to converge.
MAX_ITER = 10_000


class RouterError(ValueError):
    """Training data or a saved model the router cannot use; the message says why."""


@dataclass(frozen=True)
class Example:
    title: str
    description: str
    label: str


@dataclass(frozen=True)
class Guess:
    label: str
    confidence: float


_MASK = re.compile(r"\*{2,}")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, one space, and masked runs (`******`) as one `*`."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SPACE.sub(" ", _MASK.sub("*", text)).strip()


def _vectorizers(kind: str, *, has_titles: bool, labels: int) -> list[tuple[str, TfidfVectorizer]]:
    if kind == BASELINE:
        # The reference of the issue, as plainly as it is usually written: char 1–3-gram TF-IDF.
        return [("reference", TfidfVectorizer(analyzer="char", ngram_range=(1, 3)))]
    cap = max(MIN_FEATURES, min(MAX_FEATURES, WEIGHT_BUDGET // max(labels, 1)))
    blocks = [("whole", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), max_features=cap))]
    if has_titles:
        blocks.append(
            (
                "title",
                TfidfVectorizer(
                    analyzer="char", ngram_range=(1, 3), sublinear_tf=True, max_features=cap // 4
                ),
            )
        )
    return blocks


def _fit_temperature(scores: np.ndarray, truth: np.ndarray, weight: np.ndarray) -> float:
    """The softmax temperature that best explains which label was right (least negative log-likelihood)."""

    def nll(log_t: float) -> float:
        logp = log_softmax(scores / np.exp(log_t), axis=1)
        return float(-(logp[np.arange(len(truth)), truth] * weight).sum() / weight.sum())

    # Held-out rows that are all right would push the temperature to zero and every confidence to 1;
    # the lower bound keeps a margin between "very likely" and "certain".
    best = minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(best.x))


def _scores(model: LinearSVC, matrix: sparse.csr_matrix) -> np.ndarray:
    scores = model.decision_function(matrix)
    if scores.ndim == 1:  # two labels: sklearn gives one column for the second
        scores = np.column_stack([-scores, scores])
    return scores


def _held_out_scores(
    matrix: sparse.csr_matrix, truth: np.ndarray, weight: np.ndarray, labels: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores of models that did not see the rows they score, those rows' labels and weights."""
    n = len(truth)
    counts = np.bincount(truth, minlength=labels)
    if n < 10:  # too few distinct examples to hold any back: confidences stay uncalibrated (T = 1)
        return np.zeros((0, labels)), np.zeros(0, dtype=int), np.zeros(0)
    if n >= LARGE:
        rng = np.random.default_rng(seed)
        held = rng.permutation(n)[: n // 10]
        mask = np.zeros(n, dtype=bool)
        mask[held] = True
        splits = [(np.flatnonzero(~mask), held)]
    else:
        folds = 3
        splitter = (
            StratifiedKFold(folds, shuffle=True, random_state=seed)
            if counts.min() >= folds
            else KFold(folds, shuffle=True, random_state=seed)
        )
        splits = list(splitter.split(np.zeros(n), truth))
    parts, seen, weights = [], [], []
    for train, test in splits:
        if len(np.unique(truth[train])) < labels:
            continue  # a fold missing a label cannot score it; the others suffice
        model = LinearSVC(max_iter=MAX_ITER).fit(matrix[train], truth[train], sample_weight=weight[train])
        parts.append(_scores(model, matrix[test]))
        seen.append(truth[test])
        weights.append(weight[test])
    if not parts:
        return np.zeros((0, labels)), np.zeros(0, dtype=int), np.zeros(0)
    return np.vstack(parts), np.concatenate(seen), np.concatenate(weights)


_WHITE = re.compile(r"\s\s+")
FIELDS: dict[str, Callable[[str, str], str]] = {
    "whole": lambda title, description: normalise(f"{title} {description}"),
    "title": lambda title, description: normalise(title),
    "reference": lambda title, description: f"{title} {description}",
}


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """The n-grams scikit-learn's `analyzer="char"` makes (lower case, runs of white space as one)."""
    text = _WHITE.sub(" ", text.lower())
    grams = list(text) if low == 1 else []
    for n in range(max(low, 2), min(high, len(text)) + 1):
        grams += [text[i : i + n] for i in range(len(text) - n + 1)]
    return grams


@dataclass
class Block:
    """One fitted TF-IDF block, kept as plain arrays so that one prediction costs microseconds of numpy
    instead of a trip through scikit-learn's checks."""

    field: str
    low: int
    high: int
    sublinear: bool
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int

    @classmethod
    def of(cls, name: str, vectorizer: TfidfVectorizer, offset: int) -> Block:
        low, high = vectorizer.ngram_range
        return cls(
            field=name,
            low=low,
            high=high,
            sublinear=vectorizer.sublinear_tf,
            vocabulary=dict(vectorizer.vocabulary_),
            idf=vectorizer.idf_.astype(np.float32),
            offset=offset,
        )

    def vector(self, title: str, description: str) -> tuple[np.ndarray, np.ndarray]:
        """Column numbers and L2-normalised TF-IDF values of one document."""
        counts = Counter(
            map(self.vocabulary.get, char_ngrams(FIELDS[self.field](title, description), self.low, self.high))
        )
        counts.pop(None, None)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        if self.sublinear:
            tf = 1 + np.log(tf)
        values = tf * self.idf[columns]
        values /= np.linalg.norm(values)
        return columns + self.offset, values


@dataclass
class Router:
    """A trained router. `predict` answers the best labels first with confidences that sum to at most 1."""

    kind: str
    labels: list[str]
    blocks: list[Block]
    weights: np.ndarray  # labels x features, float32
    bias: np.ndarray
    temperature: float
    info: dict = field(default_factory=dict)

    @classmethod
    def train(cls, examples: Sequence[Example], *, kind: str = ROUTER, seed: int = 0) -> Router:
        if kind not in KINDS:
            raise RouterError(f"unknown router kind {kind!r}")
        examples = [e for e in examples if e.label and (e.title or e.description)]
        labels = sorted({e.label for e in examples})
        if len(labels) < 2:
            raise RouterError("training needs examples of at least two labels")
        started = time.perf_counter()
        # Identical examples train as one row with a weight (the same SVM objective): ticket texts repeat
        # (templates, copied reports), and repeated rows slow the solver without teaching it anything.
        counted = Counter((e.title, e.description, e.label) for e in examples)
        docs = [(title, description) for title, description, _ in counted]
        weight = np.fromiter(counted.values(), dtype=np.float64, count=len(counted))
        index = {label: i for i, label in enumerate(labels)}
        truth = np.array([index[label] for _, _, label in counted])
        has_titles = sum(1 for e in examples if e.title.strip()) >= len(examples) / 2
        names_and_vectorizers = _vectorizers(kind, has_titles=has_titles, labels=len(labels))
        matrices, blocks, offset = [], [], 0
        for name, vectorizer in names_and_vectorizers:
            text = FIELDS[name]
            if len(docs) == len(examples):
                matrices.append(vectorizer.fit_transform([text(t, d) for t, d in docs]))
            else:  # document frequencies count every example
                vectorizer.fit([text(e.title, e.description) for e in examples])
                matrices.append(vectorizer.transform([text(t, d) for t, d in docs]))
            blocks.append(Block.of(name, vectorizer, offset))
            offset += matrices[-1].shape[1]
        matrix = sparse.hstack(matrices, format="csr")
        temperature = 1.0
        if kind == ROUTER:
            held = _held_out_scores(matrix, truth, weight, len(labels), seed)
            if len(held[1]):
                temperature = _fit_temperature(*held)
        model = LinearSVC(max_iter=MAX_ITER).fit(matrix, truth, sample_weight=weight)
        weights, bias = model.coef_, model.intercept_
        if len(labels) == 2:  # sklearn keeps one row for the second label
            weights, bias = np.vstack([-weights, weights]), np.concatenate([-bias, bias])
        info = {
            "format": FORMAT,
            "sklearn": sklearn.__version__,
            "examples": len(examples),
            "train_seconds": round(time.perf_counter() - started, 3),
            "features": int(matrix.shape[1]),
        }
        return cls(
            kind, labels, blocks, weights.astype(np.float32), bias.astype(np.float32), temperature, info
        )

    def scores(self, title: str, description: str) -> np.ndarray:
        parts = [block.vector(title, description) for block in self.blocks]
        columns = np.concatenate([c for c, _ in parts])
        values = np.concatenate([v for _, v in parts])
        return self.weights[:, columns] @ values + self.bias

    def probabilities(self, title: str, description: str) -> np.ndarray:
        # The softmax in plain numpy: scipy's log_softmax costs more than the scores on one short vector.
        scaled = self.scores(title, description) / self.temperature
        exp = np.exp(scaled - scaled.max())
        return exp / exp.sum()

    def predict(
        self, title: str, description: str, *, k: int = 3, allowed: Callable[[str], bool] | None = None
    ) -> list[Guess]:
        """The k likeliest labels. With `allowed`, only labels it accepts, their confidences rescaled to sum
        to one among them (the chance of each label given that the answer is one of those)."""
        probs = self.probabilities(title, description)
        candidates = np.arange(len(self.labels))
        if allowed is not None:
            candidates = np.array([j for j, label in enumerate(self.labels) if allowed(label)], dtype=int)
            total = probs[candidates].sum()
            if total <= 0:
                return []
            probs = probs / total
        best = candidates[np.argsort(-probs[candidates], kind="stable")][:k]
        return [Guess(self.labels[j], round(float(probs[j]), 4)) for j in best]

    def predict_many(self, docs: Sequence[tuple[str, str]], *, k: int = 1) -> list[list[Guess]]:
        return [self.predict(title, description, k=k) for title, description in docs]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        pickle.dump(
            {"format": FORMAT, "sklearn": sklearn.__version__, "router": self},
            buffer,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        return zlib.compress(buffer.getvalue(), 3)

    @classmethod
    def from_bytes(cls, blob: bytes) -> Router:
        """A saved router; a file from another format or scikit-learn release is refused with the reason."""
        try:
            saved = pickle.loads(zlib.decompress(blob))
        except (zlib.error, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
            raise RouterError(f"not a saved router: {error}") from error
        if not isinstance(saved, dict):
            raise RouterError("not a saved router")
        if saved.get("format") != FORMAT:
            raise RouterError(f"saved router format {saved.get('format')!r}, this release reads {FORMAT}")
        router = saved["router"]
        if not isinstance(router, cls):
            raise RouterError("not a saved router")
        return router

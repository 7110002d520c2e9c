"""`manage.py route_eval --train A.csv --test B.csv` (or `--folds K` on one file): the router and the
reference baseline trained and tested on the same split, side by side."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from wangge.routing.classifier import BASELINE, ROUTER, RouterError
from wangge.routing.evaluation import cross_validate, evaluate, read_examples, report


class Command(BaseCommand):
    help = (
        "Measure the router against the baseline (char 1-3-gram TF-IDF + LinearSVC): accuracy, macro-F1, "
        "per-label table, training time, prediction latency. Files: csv/tsv with title,description,category."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", required=True, metavar="FILE", help="labelled examples to learn from")
        parser.add_argument("--test", metavar="FILE", help="labelled examples to test on")
        parser.add_argument("--folds", type=int, help="cross-validate on --train instead of using --test")
        parser.add_argument("--seed", type=int, default=0, help="seed for the folds (default 0)")

    def handle(
        self, *args: Any, train: str, test: str | None, folds: int | None, seed: int, **options: Any
    ) -> None:
        if (test is None) == (folds is None):
            raise CommandError("give either --test FILE or --folds K")
        kinds = (ROUTER, BASELINE)
        quiet = options.get("verbosity", 1) == 0
        try:
            examples = read_examples(train)
            with tqdm(total=len(kinds) * (folds or 1), desc="训练与测试", unit="模型", disable=quiet) as bar:
                if folds is not None:
                    results = cross_validate(
                        examples, folds=folds, kinds=kinds, seed=seed, progress=bar.update
                    )
                    split = f"{folds}-fold cross-validation on {len(examples)} examples of {train}"
                else:
                    held = read_examples(test or "")
                    results = evaluate(examples, held, kinds=kinds, seed=seed, progress=bar.update)
                    split = f"trained on {len(examples)} examples of {train}, tested on {len(held)} of {test}"
        except RouterError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(split)
        self.stdout.write(report(results))

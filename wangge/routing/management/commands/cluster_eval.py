"""`manage.py cluster_eval --input messages.csv [--json OUT] [--top N]`: groups the messages that report
the same problem at the same place and ranks the groups by heat (see `routing.clusters`)."""

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.routing.classifier import RouterError
from wangge.routing.clusters import describe, group_messages, read_messages


class Command(BaseCommand):
    help = (
        "Group messages reporting one problem at one place and rank the groups by heat (reports, support, "
        "time span, recency). Input: csv/tsv/xlsx with id,title,description,time,likes,dislikes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, metavar="FILE", help="the messages")
        parser.add_argument("--json", metavar="OUT", help="also write the ranked groups here as JSON")
        parser.add_argument("--top", type=int, default=10, help="how many groups to print (default 10)")

    def handle(self, *args: Any, input: str, json: str | None, top: int, **options: Any) -> None:
        if top < 1:
            raise CommandError("--top must be at least 1")
        try:
            messages = read_messages(input)
        except RouterError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        groups = group_messages(messages)
        seconds = time.perf_counter() - started
        several = sum(1 for g in groups if len(g.ids) > 1)
        self.stdout.write(
            f"{len(messages)} messages of {input}: {len(groups)} groups ({several} with more than one "
            f"message) in {seconds:.1f} s"
        )
        self.stdout.write(describe(groups, top))
        if json:
            _write(Path(json), [g.as_json() for g in groups])
            self.stdout.write(f"all {len(groups)} groups, hottest first: {json}")


def _write(path: Path, data: list[dict]) -> None:
    try:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as error:
        raise CommandError(f"{path}: cannot write it ({error})") from error

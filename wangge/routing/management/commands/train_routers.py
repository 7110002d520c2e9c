"""`manage.py train_routers`: train the category and unit routers on closed tickets now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wangge.routing.actions import do_train_routers


class Command(BaseCommand):
    help = "Train the routers on closed tickets; a new model is kept only if it is no worse on the newest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, help="at most this many of the newest closed tickets")

    def handle(self, *args: Any, limit: int | None, **options: Any) -> None:
        models = do_train_routers(limit=limit)
        if not models:
            self.stdout.write("没有足够的已办结诉求可供训练")
        for model in models:
            self.stdout.write(
                f"{model.get_target_display()}: {model.examples} 条样本, {model.labels} 类, "
                f"{model.train_seconds:.1f} 秒; {model.note}"
            )

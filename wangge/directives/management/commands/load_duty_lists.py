"""Put the three community task lists (社区事务准入) on an area; every community below it is checked
against them."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.areas.models import Area
from wangge.directives.admission import DUTY_LISTS_CSV, load_duty_lists


class Command(BaseCommand):
    help = "载入社区职责、协助和负面清单（默认：随 Wangge 提供的清单）到一个区域"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area", help="区域编码（区、街道或社区）")
        parser.add_argument(
            "--file", type=Path, default=DUTY_LISTS_CSV, help="CSV：清单,事项,关键词,诉求分类"
        )

    def handle(self, *args: object, **options: object) -> None:
        area = Area.objects.filter(code=options["area"]).first()
        if area is None:
            raise CommandError(f"没有编码为 {options['area']} 的区域")
        path = options["file"]
        assert isinstance(path, Path)
        if not path.exists():
            raise CommandError(f"找不到文件 {path}")
        try:
            count = load_duty_lists(area, path)
        except (ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{area.name}：{count} 项")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.lib.sheets import write_table
from wangge.people.transfer import export_rows


class Command(BaseCommand):
    help = "Export residents of an area subtree as .xlsx or .csv; ID and phone numbers are masked."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", help="file name ending in .xlsx or .csv")
        parser.add_argument("--user", required=True, help="export what this user may see")
        parser.add_argument("--area", help="area code: only this subtree")

    def handle(self, *args: object, output: str, user: str, area: str | None, **options: object) -> None:
        fmt = Path(output).suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError("输出文件应以.xlsx或.csv结尾")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有此用户：{user}")
        residents = scoping.residents_for(actor)
        if area:
            residents = residents.filter(household__area__code__startswith=area)
        Path(output).write_bytes(write_table(export_rows(residents), fmt=fmt, title="居民"))
        self.stdout.write(f"已导出{residents.count()}名居民到{output}")

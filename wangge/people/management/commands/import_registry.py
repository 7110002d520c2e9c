from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.accounts.models import User
from wangge.people.transfer import ImportFileError, import_registry


class Command(BaseCommand):
    help = "Import households and residents from an .xlsx or .csv file (one resident per row)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--skip-bad", action="store_true", help="write the good rows, report the bad")
        parser.add_argument("--user", help="act as this user: the import is limited to their scope")

    def handle(self, *args: object, file: str, skip_bad: bool, user: str | None, **options: object) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"没有此用户：{user}")
        try:
            report = import_registry(
                name=path.name, content=path.read_bytes(), actor=actor, skip_bad=skip_bad
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.written:
            raise CommandError(
                f"{report.bad_rows}行有误，未写入任何数据（共{report.rows}行）。"
                "改正后重新导入，或用 --skip-bad 只导入无误的行。"
            )
        self.stdout.write(
            f"共{report.rows}行：新建住户{report.households_created}户，新建居民{report.residents_created}人，"
            f"更新居民{report.residents_updated}人，跳过有误的{report.bad_rows}行。"
        )

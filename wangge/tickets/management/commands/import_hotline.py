"""`manage.py import_hotline FILE`: tickets from a 12345 hotline export (xlsx or csv)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.people.transfer import ImportFileError
from wangge.tickets.hotline import DEFAULT_MAPPING, import_hotline


class Command(BaseCommand):
    help = "Import a 12345 hotline export as tickets; rows already imported (same 工单编号) are skipped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=列名",
            help="column for a field, e.g. --map description=来电内容; fields: " + ", ".join(DEFAULT_MAPPING),
        )
        parser.add_argument("--default-area", help="area code for rows whose address names no place")
        parser.add_argument(
            "--skip-bad", action="store_true", help="write the good rows even if some are bad"
        )
        parser.add_argument("--as", dest="username", help="the staff account recorded as entering them")

    def handle(
        self,
        *args: Any,
        file: str,
        map: list[str],
        default_area: str | None,
        skip_bad: bool,
        username: str | None,
        **options: Any,
    ) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        mapping = {}
        for item in map:
            key, sep, title = item.partition("=")
            if not sep or not title:
                raise CommandError(f"--map 应写成 字段=列名，而不是 {item!r}")
            mapping[key.strip()] = title.strip()
        area = None
        if default_area:
            area = Area.objects.filter(code=default_area).first()
            if area is None:
                raise CommandError(f"没有编码为 {default_area} 的区域")
        actor = None
        if username:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"没有用户 {username}")
        with tqdm(desc="导入工单", unit="件", disable=options.get("verbosity", 1) == 0) as bar:
            try:
                report = import_hotline(
                    name=path.name,
                    content=path.read_bytes(),
                    actor=actor,
                    mapping=mapping,
                    default_area=area,
                    skip_bad=skip_bad,
                    progress=bar.update,
                )
            except ImportFileError as exc:
                raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(
            f"共{report.rows}行：新建{report.created}件，已导入过{report.already_imported}件，"
            f"错误{report.bad_rows}行，未能归类{report.uncategorised}件。"
            + ("" if report.written else "有错误行，未写入任何工单（--skip-bad 可只写入正确的行）。")
        )
        if report.errors and not report.written:
            raise CommandError("导入未完成")

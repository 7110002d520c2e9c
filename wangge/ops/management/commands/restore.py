from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from wangge.ops.backup import BackupError, database_is_empty, read_manifest, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this installation's database and media directory, "
        "then check every table's row count. The database must be empty unless --replace is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")
        parser.add_argument(
            "--replace", action="store_true", help="overwrite a database that holds data (stop the app first)"
        )

    def handle(self, *args: Any, archive: str, replace: bool, **options: Any) -> None:
        path = Path(archive)
        try:
            manifest = read_manifest(path)
            if not replace and not database_is_empty():
                raise CommandError("目标数据库已有数据：请恢复到新建的空数据库，或确认后加 --replace")
            with tqdm(
                total=manifest.media_files, desc="媒体文件", unit="个", disable=options["verbosity"] < 1
            ) as bar:
                restore_backup(path, progress=bar.update)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.rows.values())
        self.stdout.write(
            f"restored {rows} rows and {manifest.media_files} media files from {manifest.made_at}"
        )

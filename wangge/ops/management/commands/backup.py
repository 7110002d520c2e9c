from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from wangge.ops.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database and the media files into one .tar (restore it with `manage.py restore`). "
        "Safe while the app runs. The keys (WANGGE_FIELD_KEY, WANGGE_SECRET_KEY) are not included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="the file to write (default var/backups/wangge-<time>.tar)")

    def handle(self, *args: Any, output: str | None, **options: Any) -> None:
        path = Path(output or f"var/backups/wangge-{timezone.localtime():%Y%m%d-%H%M%S}.tar")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with tqdm(desc="媒体文件", unit="个", disable=options["verbosity"] < 1) as bar:
                manifest = make_backup(path, progress=bar.update)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.rows.values())
        self.stdout.write(f"{path}  {rows} rows, {manifest.media_files} media files ({manifest.engine})")

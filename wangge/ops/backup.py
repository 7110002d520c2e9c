"""Backups of a whole installation, restorable into a fresh database: the database (SQLite through its
online backup API, while the app keeps running; PostgreSQL through pg_dump's custom format) and the media
files (photos, attachments), in one tar file with a manifest of row counts that restore checks against.

The keys are not in the backup (WANGGE_FIELD_KEY, WANGGE_SECRET_KEY): keep them apart, with the backups.
"""

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA = "media"
FORMAT = 1


class BackupError(Exception):
    """Said in Chinese to the operator."""


@dataclass(frozen=True)
class Manifest:
    made_at: str
    engine: str
    rows: dict[str, int]
    media_files: int
    format: int = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        return cls(**json.loads(data))


def row_counts() -> dict[str, int]:
    """Rows per table of every model, the figures a restore must reproduce."""
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.db_table] = model._default_manager.using("default").count()
    return dict(sorted(counts.items()))


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore of the newest installed PostgreSQL (a dump needs a pg_dump as new as the
    server), else the one on PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if found:
        return str(found[-1])
    on_path = shutil.which(name)
    if on_path is None:
        raise BackupError(f"找不到{name}：请安装PostgreSQL客户端（apt-get install postgresql-client）")
    return on_path


def _pg(tool: str, *options: str, last: str = "") -> None:
    """Run pg_dump or pg_restore against the configured database (`last`: pg_restore's input file, after
    every option); BackupError with its message if it fails."""
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = [_pg_tool(tool), *options, *args, *([last] if last else [])]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{tool}失败：{done.stderr.strip()}")


def _media_files() -> Iterator[Path]:
    root = Path(settings.MEDIA_ROOT)
    if root.is_dir():
        yield from (p for p in sorted(root.rglob("*")) if p.is_file())


def make_backup(output: Path, *, progress: Callable[[int], None] = lambda n: None) -> Manifest:
    """Write the backup to `output` (a .tar), going through a temporary name so that a failed backup
    leaves nothing that looks whole."""
    engine = _engine()
    media = list(_media_files())
    manifest = Manifest(
        made_at=timezone.now().isoformat(), engine=engine, rows=row_counts(), media_files=len(media)
    )
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="wangge-backup-") as work:
        dump = Path(work) / (SQLITE_FILE if engine == "sqlite" else PG_FILE)
        if engine == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target, pages=4096)
            finally:
                target.close()
        else:
            _pg("pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump))
        with tarfile.open(partial, "w") as tar:
            info = tarfile.TarInfo(MANIFEST)
            data = manifest.to_json()
            info.size, info.mtime = len(data), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            root = Path(settings.MEDIA_ROOT)
            for path in media:
                tar.add(path, arcname=f"{MEDIA}/{path.relative_to(root).as_posix()}")
                progress(1)
    partial.replace(output)
    return manifest


def read_manifest(archive: Path) -> Manifest:
    try:
        with tarfile.open(archive) as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.from_json(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError, TypeError) as exc:
        raise BackupError(f"「{archive}」不是网格备份文件或已损坏：{exc}") from exc


def database_is_empty() -> bool:
    """No table of ours holds a row (a fresh database, migrated or not)."""
    tables = set(connection.introspection.table_names())
    return not any(
        model._default_manager.exists()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in tables
    )


def restore_backup(archive: Path, *, progress: Callable[[int], None] = lambda n: None) -> Manifest:
    """Put the backup's database and media in place of this installation's, then check every table's row
    count against the manifest. The database must be of the backup's kind."""
    manifest = read_manifest(archive)
    engine = _engine()
    if manifest.engine != engine:
        raise BackupError(f"备份来自{manifest.engine}，当前数据库是{engine}：请恢复到同类数据库")
    with tempfile.TemporaryDirectory(prefix="wangge-restore-") as work, tarfile.open(archive) as tar:
        dump_name = SQLITE_FILE if engine == "sqlite" else PG_FILE
        tar.extract(dump_name, work, filter="data")
        dump = Path(work) / dump_name
        if engine == "sqlite":
            connection.close()
            connection.ensure_connection()
            source = sqlite3.connect(dump)
            try:
                source.backup(connection.connection, pages=4096)
            finally:
                source.close()
            connection.close()
        else:
            connection.close()
            restore = ("--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction")
            _pg("pg_restore", *restore, "--exit-on-error", last=str(dump))
        media_root = Path(settings.MEDIA_ROOT)
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(f"{MEDIA}/"):
                member.name = member.name[len(MEDIA) + 1 :]
                tar.extract(member, media_root, filter="data")
                progress(1)
    restored = row_counts()
    wrong = {t: (n, restored.get(t)) for t, n in manifest.rows.items() if restored.get(t) != n}
    if wrong:
        listed = "、".join(f"{t}（应为{n}，实为{got}）" for t, (n, got) in list(wrong.items())[:5])
        raise BackupError(f"恢复后行数不符：{listed}")
    return manifest

"""Backup and restore (issue 19, production profile): a backup taken while the app runs restores into a
fresh database with every table's rows, a ticket's whole timeline and its photos."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from wangge.areas.models import Area
from wangge.conftest import DEMO_GRID, png_bytes
from wangge.ops.backup import read_manifest, row_counts
from wangge.tickets import actions as a

ROOT = Path(settings.BASE_DIR)
READ_BACK = """
import json, sys, django
django.setup()
from wangge.ops.backup import row_counts
from wangge.tickets.models import Ticket
t = Ticket.objects.get(pk=int(sys.argv[1]))
photo = t.photos.get()
print(json.dumps({"rows": row_counts(),
  "timeline": [[e.action, e.note, e.to_status] for e in t.events.order_by("at", "id")],
  "photo": photo.image.open("rb").read().hex()}))
"""


def fresh_database(tmp_path: Path) -> tuple[str, object]:
    """A URL of a new, empty database of the same kind as the tests', and a way to drop it."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}", lambda: None
    name = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = os.environ["WANGGE_DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


def in_the_fresh_database(url: str, media: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW_ASYNC")},
        "WANGGE_DATABASE_URL": url,
        "WANGGE_MEDIA_ROOT": str(media),
        "WANGGE_DEMO": "True",
        "DJANGO_SETTINGS_MODULE": "wangge.settings",
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database(committed_city, actor, tmp_path) -> None:  # type: ignore[no-untyped-def]
    resident, community = actor("resident"), actor("community")
    ticket = a.do_submit_ticket(
        a.NewTicket(
            title="楼道灯不亮",
            description="三单元二楼楼道灯坏了一周",
            channel="h5",
            area=Area.objects.get(code=DEMO_GRID),
            photos=[SimpleUploadedFile("lamp.png", png_bytes((200, 180, 60)))],
        ),
        actor=resident,
    )
    a.do_accept(ticket.pk, actor=community, kind="small", note="交网格处理")
    archive = tmp_path / "wangge.tar"
    call_command("backup", output=str(archive), verbosity=0)
    manifest = read_manifest(archive)
    assert manifest.rows == row_counts() and manifest.media_files >= 1

    url, drop = fresh_database(tmp_path)
    media = tmp_path / "media-restored"
    try:
        restored = in_the_fresh_database(url, media, "manage.py", "restore", str(archive), "-v", "0")
        assert restored.returncode == 0, restored.stderr
        read = in_the_fresh_database(url, media, "-c", READ_BACK, str(ticket.pk))
        assert read.returncode == 0, read.stderr
        seen = json.loads(read.stdout)
        assert seen["rows"] == manifest.rows
        assert (
            seen["timeline"] == [[e.action, e.note, e.to_status] for e in ticket.events.order_by("at", "id")]
            and len(seen["timeline"]) >= 2
        )
        assert bytes.fromhex(seen["photo"]) == ticket.photos.get().image.open("rb").read()
        # A second restore over the data it wrote is refused without --replace.
        again = in_the_fresh_database(url, media, "manage.py", "restore", str(archive), "-v", "0")
        assert again.returncode != 0 and "已有数据" in again.stderr
    finally:
        drop()


def test_what_is_not_a_backup_is_refused(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all")
    with pytest.raises(CommandError, match="不是网格备份文件"):
        call_command("restore", str(junk), "--replace", verbosity=0)

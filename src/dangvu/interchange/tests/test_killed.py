"""An import killed half way through its write leaves the records as they were: the process is
a real `dangvu import` on its own data directory (a SQLite file), killed with SIGKILL once it
has written its first chunk inside the transaction."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROWS = 25000  # three chunks of the write (interchange.services.WRITE_CHUNK)

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from dangvu.testing.factories import build_tree
tree = build_tree()
print(tree.cell1.code)
"""

COUNT = """
import django, json
django.setup()
from dangvu.members.models import Member, MembershipEvent
from dangvu.audit.models import AuditRecord
print(json.dumps([Member.objects.count(), MembershipEvent.objects.count(),
                  AuditRecord.objects.filter(action__startswith="member.").count()]))
"""


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DANGVU_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="dangvu.settings")
    return env


def _python(code: str, env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _file(path: Path) -> None:
    lines = ["Họ và tên,Ngày sinh,Giới tính,Dân tộc,Trình độ GDPT,Nghề nghiệp,Ngày vào Đảng"]
    lines += [
        f"Đảng Viên {i},{1 + i % 28:02d}/0{1 + i % 9}/1980,Nam,Kinh,12/12,Nông dân,15/06/2010"
        for i in range(ROWS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_an_import_killed_while_writing_leaves_the_records_as_they_were(tmp_path):
    env = _env(tmp_path / "data")
    cell = _python(SETUP, env)
    before = json.loads(_python(COUNT, env))
    path = tmp_path / "members.csv"
    _file(path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dangvu", "import", "members", str(path), "--org", cell],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    progress_dir = tmp_path / "data" / "uploads" / "imports"
    deadline = time.monotonic() + 240
    killed_at = None
    while time.monotonic() < deadline and proc.poll() is None:
        for f in progress_dir.glob("*.progress") if progress_dir.exists() else ():
            try:
                p = json.loads(f.read_text())
            except ValueError:
                continue
            if p["phase"] == "write" and 0 < p["done"] < p["total"]:
                proc.send_signal(signal.SIGKILL)
                killed_at = p["done"]
        if killed_at:
            break
        time.sleep(0.05)
    proc.wait(timeout=30)
    assert killed_at, "the import finished before it could be killed in its write"
    assert proc.returncode == -signal.SIGKILL
    # Chunks were written inside the transaction; none of them survived the kill.
    assert json.loads(_python(COUNT, env)) == before
    check = subprocess.run(
        [sys.executable, "-m", "dangvu", "check"], env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr

"""`dangvu <command>`: a thin wrapper over Django's management commands."""

import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvu.settings")
    # The Vietnamese UI on every path (install, migrate, demo, serve): the catalogues are
    # compiled when their .mo is missing or older than the .po.
    from dangvu.core.management.commands.compilemessages_dangvu import compile_stale

    compile_stale(Path(__file__).resolve().parent / "locale")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])

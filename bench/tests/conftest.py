"""bench/ is a folder of scripts, not a package: run as `python bench/run.py`, its modules
import each other by name (`from targets import judge`). The tests put bench/ on the path the
same way, so that they import what `make bench` runs."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

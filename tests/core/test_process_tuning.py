"""The server process is tuned by its entry point, after the app is loaded, not by importing the
app (consult/server/tuning.py): importing consult.asgi leaves Python's defaults."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, sys
defaults = (0, sys.getswitchinterval(), gc.get_threshold())
import consult.asgi
assert (gc.get_freeze_count(), sys.getswitchinterval(), gc.get_threshold()) == defaults
from consult.server.tuning import tune_process
tune_process()
after = (gc.get_freeze_count() > 0, sys.getswitchinterval(), gc.get_threshold())
print(repr(after))
"""


def test_importing_the_app_tunes_nothing_and_the_server_entry_point_does(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "consult.settings",
        "GC_THRESHOLDS": "30000,60,110",
        "GIL_SWITCH_INTERVAL": "0.004",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == repr((True, 0.004, (30000, 60, 110)))

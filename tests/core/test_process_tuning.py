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


GARBAGE_PROBE = """
import gc, weakref
import consult.asgi
from consult.server.tuning import tune_process
tune_process()

class Connection:  # what a closed connection leaves: objects that refer to each other
    pass

connection = Connection()
connection.itself = connection
freed = weakref.ref(connection)
gc.collect(1)  # it is alive at a young pass, which promotes it to the oldest generation
connection = None  # then it closes
from twisted.internet import reactor
reactor.callLater(0.6, reactor.stop)
reactor.run()
print(freed() is None)
"""


def test_the_server_frees_cyclic_garbage_on_a_clock_despite_its_raised_thresholds(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "consult.settings",
        "GC_FULL_COLLECT_SECONDS": "0.2",
        "GC_FULL_COLLECT_AFTER_CLOSES": "0",  # every look collects
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", GARBAGE_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "True"
    result = subprocess.run(
        [sys.executable, "-c", GARBAGE_PROBE],
        cwd=ROOT,
        env={**env, "GC_FULL_COLLECT_SECONDS": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "False"  # the raised thresholds alone keep it


def test_a_full_collection_waits_for_closed_connections_or_the_longest_wait(monkeypatch):
    """A full pass stops the loop for 150-200 ms under load: it runs when closed connections
    have left garbage to find, or when the longest wait has passed, not on every look."""
    from consult.server import tuning

    collected = []
    monkeypatch.setattr(tuning.gc, "collect", lambda: collected.append(1) or 0)
    full = tuning.FullCollections(30, after_closes=3, at_least_every=120)
    assert [full.look() for _ in range(3)] == [False, False, False]  # 90 s, nothing closed
    for _ in range(3):
        full.connection_closed()
    assert full.look() is True  # three closed: their garbage is collected
    assert [full.look() for _ in range(4)] == [False, False, False, True]  # 120 s anyway
    assert len(collected) == 2


def test_a_full_collection_waits_for_as_many_closes_as_connections_are_open(monkeypatch):
    """A pass walks every open connection's objects: with 5,000 open, a reconnect storm gets one
    pass once its garbage is that large, not one per 500 closes."""
    from consult.server import tuning

    collected = []
    monkeypatch.setattr(tuning.gc, "collect", lambda: collected.append(1) or 0)
    full = tuning.FullCollections(1, after_closes=3, at_least_every=600)
    for _ in range(10):
        full.connection_opened()

    def reconnect(count):
        for _ in range(count):
            full.connection_closed()
            full.connection_opened()

    reconnect(6)
    assert full.look() is False  # six closed, ten open: a pass would walk more than it frees
    reconnect(4)
    assert full.look() is True  # ten closed
    assert collected == [1]
    reconnect(2)
    assert full.look() is False


def test_the_server_counts_the_connections_that_open_and_close(monkeypatch):
    from consult.server import tuning

    full = tuning.FullCollections(30, after_closes=1, at_least_every=600)
    monkeypatch.setattr(tuning, "full_collections", full)
    tuning.connection_opened()
    tuning.connection_opened()
    tuning.connection_closed()
    assert (full.open, full.closed) == (1, 1)


def test_a_leaving_process_collects_nothing_more(monkeypatch):
    """SIGTERM: thousands of sockets close at once, which would call for a full pass over all
    their garbage (1.1 s of a 5,000-socket leave); the process ends without freeing it anyway."""
    from consult.server import tuning

    collected = []
    monkeypatch.setattr(tuning.gc, "collect", lambda: collected.append(1) or 0)
    full = tuning.FullCollections(1, after_closes=1, at_least_every=1)
    monkeypatch.setattr(tuning, "full_collections", full)
    assert tuning.gc.isenabled()
    try:
        tuning.stop_collecting()
        tuning.connection_closed()
        assert full.look() is False
        assert not tuning.gc.isenabled()
    finally:
        tuning.gc.enable()
    assert collected == []

"""The short run of bench/faults.py, as CI runs it: Redis restarted, a Daphne SIGTERM'd, PostgreSQL
cut and hung, under clients that behave like the browser. Nothing acknowledged is lost or stored
twice, no socket dies without a close frame or with 1011, no handshake gets HTTP 5xx, every post
is answered, and every client hears live messages again after each fault. (Durations are printed
by the bench, not asserted here.)"""

import json
import subprocess
import sys

import pytest

from tests.live import ROOT
from tests.services import CHECKOUT

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.nginx]


def test_no_fault_loses_an_acknowledged_message_or_kills_a_socket():
    run = subprocess.run(
        [sys.executable, "bench/faults.py", "--short", "--database", f"consult_faults_{CHECKOUT}"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["acked"] > 0 and result["unacked_after_5s"] == 0
    assert (result["acked_lost"], result["stored_twice"], result["duplicate_frames"]) == (0, 0, 0)
    for fault in result["faults"]:
        assert fault["http_5xx"] == 0, fault
        assert not set(fault["closes"]) & {"1006", "1011"}, fault
        assert fault["posts_unanswered"] == 0, fault
        assert fault["clients_live_again"] == result["clients"], fault
    by_name = {fault["fault"]: fault for fault in result["faults"]}
    assert by_name["redis"]["closes"] == {} and by_name["redis"]["degraded_told"] > 0
    assert set(by_name["sigterm"]["closes"]) == {"1012"}
    assert by_name["pg-cut"]["unavailable"] > 0

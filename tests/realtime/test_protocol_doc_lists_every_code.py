"""docs/protocol.md lists every error code and close code the server can send."""

import re
from pathlib import Path

from consult.core import errors
from consult.realtime import protocol

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = (ROOT / "docs" / "protocol.md").read_text()


def error_codes():
    classes = [
        c
        for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, errors.ConsultError)
    ]
    codes = {c.code for c in classes if c.code != "error"}
    source = (ROOT / "consult" / "realtime" / "protocol.py").read_text()
    return codes | set(re.findall(r'ProtocolError\("([a-z_]+)"', source))


def test_every_error_code_has_a_row():
    assert {code for code in error_codes() if f"| `{code}` |" not in DOC} == set()


def test_every_close_code_has_a_row():
    codes = {value for name, value in vars(protocol).items() if name.startswith("WS_CLOSE_")}
    assert {code for code in codes if f"| {code} |" not in DOC} == set()

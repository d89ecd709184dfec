"""JSON-lines filter: ``{"id", "text"}`` in on stdin, ``{"id", "findings"}`` out on stdout.

    python -m consult.deid.cli < notes.jsonl

Used by the ``deid_scan`` management command and usable without Django. A line that is not a
JSON object with a string "text" gets an empty findings list (and a note on stderr that never
repeats the text).
"""

from __future__ import annotations

import json
import sys
from typing import IO

from .scanner import scan


def run(stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    bad = 0
    for lineno, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        doc_id = None
        try:
            doc = json.loads(line)
            if not isinstance(doc, dict):
                raise ValueError("not a JSON object")
            doc_id = doc.get("id")
            text = doc.get("text")
            if not isinstance(text, str):
                raise ValueError("missing or non-string 'text'")
            findings = [{"start": f.start, "end": f.end, "type": f.kind} for f in scan(text)]
        except Exception as exc:  # noqa: BLE001 - never let one bad line stop the stream
            bad += 1
            stderr.write(f"deid_scan: line {lineno}: skipped ({type(exc).__name__})\n")
            findings = []
        stdout.write(json.dumps({"id": doc_id, "findings": findings}) + "\n")
    stdout.flush()
    return bad


def main() -> None:
    run(sys.stdin, sys.stdout, sys.stderr)


if __name__ == "__main__":
    main()

"""The latest signed checkpoint of every stream, written to a file beside each backup.

deploy/backup exports them just before pg_dump; after a restore, `audit_verify --checkpoints
FILE` requires the restored chains to reach every one of them with the same hash. A dump that
was doctored (an event edited, or the tail of a trail cut off with its checkpoints) then fails,
although its own chains and checkpoints might agree with each other. The file holds stream
names, sequence numbers, hashes and signatures only: no clinical text.
"""

import json

from consult.audit.checkpoints import checkpoint_all_streams
from consult.audit.trail import checkpoint_rows

FORMAT = "consult-audit-checkpoints/1"


def export_latest_checkpoints(path):
    """Sign every moved head, then write each stream's latest checkpoint to `path`;
    returns their number."""
    checkpoint_all_streams()
    latest = {}
    for row in checkpoint_rows():  # ordered by stream, seq: the last one per stream wins
        latest[row["stream"]] = row
    document = {"format": FORMAT, "checkpoints": [latest[stream] for stream in sorted(latest)]}
    with open(path, "w") as file:
        json.dump(document, file, indent=1, sort_keys=True)
        file.write("\n")
    return len(latest)


def read_exported_checkpoints(path):
    """{stream: [checkpoint dict]} from a file export_latest_checkpoints wrote."""
    with open(path) as file:
        document = json.load(file)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} file")
    exported = {}
    for row in document["checkpoints"]:
        exported.setdefault(row["stream"], []).append(
            {key: row[key] for key in ("stream", "seq", "hash", "signed_at", "hmac")}
        )
    return exported

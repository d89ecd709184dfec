"""Side-by-side comparison of two safety plan versions, line by line per section. Pure Python."""

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    left: str | None  # the line in the older version, or None where it has none
    right: str | None
    state: str  # same | removed | added | changed


def side_by_side(old, new):
    """Pair the lines of two texts; lines only on one side get an empty cell on the other."""
    a, b = old.splitlines(), new.splitlines()
    rows = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [Row(line, line, "same") for line in a[i1:i2]]
        elif op == "delete":
            rows += [Row(line, None, "removed") for line in a[i1:i2]]
        elif op == "insert":
            rows += [Row(None, line, "added") for line in b[j1:j2]]
        else:
            left, right = a[i1:i2], b[j1:j2]
            for k in range(max(len(left), len(right))):
                rows.append(
                    Row(
                        left[k] if k < len(left) else None,
                        right[k] if k < len(right) else None,
                        "changed",
                    )
                )
    return rows


def compare_plans(old, new, sections):
    """[(Section, rows, changed?)] for two SafetyPlanVersions."""
    result = []
    for section in sections:
        rows = side_by_side(getattr(old, section.name), getattr(new, section.name))
        result.append((section, rows, any(row.state != "same" for row in rows)))
    return result

"""SQL is written in a few known places only: each app's store.py or sql.py, migrations, the
audit trail's triggers and the database roles' setup. Everything else uses those modules' functions
or the ORM, so a change of schema or database has one place to look per app (issue 17).

The check reads every string literal and f-string of consult/ (docstrings excepted: prose may
quote SQL) and looks for the shape of a statement written in capitals, the way this code base
writes SQL.
"""

import ast
import re
from pathlib import Path

CONSULT = Path(__file__).resolve().parents[2] / "consult"

STATEMENT = re.compile(
    r"\bSELECT\s[\s\S]*\bFROM\b|\bSELECT\s+1\b|\bINSERT\s+INTO\b|\bUPDATE\s+\S+\s+(AS\s+\w+\s+)?SET\b"
    r"|\bDELETE\s+FROM\b|\b(CREATE|DROP)\s+(TABLE|INDEX|TRIGGER|FUNCTION|ROLE|DATABASE|OR\s+REPLACE)\b"
    r"|\bALTER\s+(TABLE|ROLE|DEFAULT\s+PRIVILEGES|DATABASE)\b|^\s*TRUNCATE\b"
    r"|\b(GRANT|REVOKE)\s+[A-Z, ]+\s+ON\b|\bWITH\s+\w+\s+AS\s+\("
)


def allowed(path):
    relative = path.relative_to(CONSULT).as_posix()
    return (
        path.name in ("store.py", "sql.py")
        or "/migrations/" in f"/{relative}"
        or relative in ("audit/triggers.py", "core/dbroles.py")  # DDL, run by `migrate`
    )


def strings(tree):
    """(line, text) of every string literal and f-string (its values as {}), docstrings excepted."""
    skipped = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(value) for value in node.values)
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            yield node.lineno, text
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in skipped:
                yield node.lineno, node.value


def sql_outside_its_homes():
    found = []
    for path in sorted(CONSULT.rglob("*.py")):
        if allowed(path):
            continue
        for line, text in strings(ast.parse(path.read_text())):
            if STATEMENT.search(text):
                found.append(f"{path.relative_to(CONSULT.parent)}:{line}: {text[:60]!r}")
    return found


def test_sql_is_written_only_in_store_sql_migration_and_trigger_modules():
    assert sql_outside_its_homes() == []


def test_the_check_finds_a_statement_written_anywhere_else():
    tree = ast.parse('q = f"SELECT id FROM {table} WHERE x = %s"\nr = "DELETE FROM t"\n')
    assert [STATEMENT.search(text) is not None for _, text in strings(tree)] == [True, True]
    prose = ast.parse('"""SELECT ... FOR UPDATE in a docstring"""\nhint = "may UPDATE or DELETE"\n')
    assert not any(STATEMENT.search(text) for _, text in strings(prose))


def test_only_the_audit_app_names_its_tables_and_only_the_cases_store_includes_its_statements():
    """consult/audit/sql.py is the way in for a statement that appends its own event (one user:
    the message post); everything else calls audit_append (docs/audit.md), and reads the trail
    through consult/audit/selectors.py."""
    naming, including = [], []
    for path in sorted(CONSULT.rglob("*.py")):
        relative = path.relative_to(CONSULT).as_posix()
        if relative.startswith("audit/"):
            continue
        text = path.read_text()
        if re.search(r"\baudit_audit\w+|\bAudit(Event|Head|Checkpoint)\b", text):
            naming.append(relative)
        if re.search(r"consult\.audit\.sql\b|from consult\.audit import .*\bsql\b", text):
            including.append(relative)
    assert naming == []
    assert including == ["cases/store.py"]

"""How long a verified backup and restore take (recovery time), for deploy/README.md.

    python bench/backup_restore.py [--cases C] [--messages M]

Self-contained: creates PostgreSQL databases `consult_bench_backup` (source) and
`consult_bench_restore` (target) on 127.0.0.1 as postgres, migrates the source, writes C cases
with M messages each through `message_post` (so every message has its audit event), then times
deploy/backup (checkpoint export + pg_dump) and deploy/restore (pg_restore in one transaction,
migrate, audit_verify --checkpoints) into the empty target. Prints the sizes and seconds, then one
JSON line; drops both databases at the end. The machine is shared: read the seconds as an order
of magnitude, and measure on your own data (a restore drill) before you promise an RTO.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = "postgres://postgres@127.0.0.1:5432"
SOURCE, TARGET = "consult_bench_backup", "consult_bench_restore"


def admin(*statements):
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def recreate(name):
    admin(
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        f'DROP DATABASE IF EXISTS "{name}"',
        f'CREATE DATABASE "{name}"',
    )


def fill(cases, messages):
    os.environ["DATABASE_URL"] = f"{SERVER}/{SOURCE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from consult.accounts.models import Membership, Role, Team, User
    from consult.cases.services import case_create, message_post

    team = Team.objects.create(name="Bench")
    user = User.objects.create_user("bench", password="pw-bench", role=Role.THERAPIST)
    Membership.objects.create(team=team, user=user)
    for c in range(cases):
        case = case_create(actor=user, team_id=team.pk, title=f"Bench case {c}", summary="Referral")
        for m in range(messages):
            message_post(
                actor=user,
                case_code=case.code,
                client_id=f"m{m}",
                body=f"Session note {m}: coping plan reviewed, next check-in Thursday",
            )


def timed(argv, database):
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{database}",
        "PYTHON": sys.executable,
        "CONN_MAX_AGE": "0",
    }
    env.pop("DATABASE_OWNER_URL", None)
    started = time.monotonic()
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{argv[0]} failed:\n{result.stdout}\n{result.stderr}")
    return time.monotonic() - started, result.stdout


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--messages", type=int, default=250)
    args = parser.parse_args()
    recreate(SOURCE)
    recreate(TARGET)
    try:
        started = time.monotonic()
        fill(args.cases, args.messages)
        filled = time.monotonic() - started
        with tempfile.TemporaryDirectory() as directory:
            backup_s, _ = timed(
                [str(ROOT / "deploy" / "backup"), "--dir", directory, "--keep", "1"], SOURCE
            )
            [dump] = Path(directory).glob("*.dump")
            restore_s, out = timed([str(ROOT / "deploy" / "restore"), str(dump)], TARGET)
            verify_s, _ = timed([sys.executable, "manage.py", "audit_verify"], TARGET)
            figures = {
                "cases": args.cases,
                "messages": args.cases * args.messages,
                "audit_events": args.cases * (args.messages + 1),
                "dump_bytes": dump.stat().st_size,
                "fill_s": round(filled, 1),
                "backup_s": round(backup_s, 1),
                "restore_migrate_verify_s": round(restore_s, 1),
                "audit_verify_alone_s": round(verify_s, 1),
            }
        print(
            f"{figures['messages']} messages in {args.cases} cases ({figures['audit_events']} "
            f"audit events): dump {figures['dump_bytes'] / 1e6:.1f} MB"
        )
        print(f"backup (checkpoint export + pg_dump): {backup_s:.1f} s")
        print(
            f"restore (pg_restore + migrate + audit_verify --checkpoints): {restore_s:.1f} s "
            f"(audit_verify alone: {verify_s:.1f} s)"
        )
        print(json.dumps(figures))
    finally:
        admin(
            *[
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{n}'"
                for n in (SOURCE, TARGET)
            ],
            f'DROP DATABASE IF EXISTS "{SOURCE}"',
            f'DROP DATABASE IF EXISTS "{TARGET}"',
        )


if __name__ == "__main__":
    main()

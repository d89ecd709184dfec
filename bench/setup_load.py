"""Users, case rooms and signed-in sessions for the load benchmarks, written to a JSON file.

    DATABASE_URL=postgres://... python bench/setup_load.py \\
        --clients 1000 --rooms 100 --out var/load.json

Run it with the target servers' DATABASE_URL (and their SECRET_KEY, if set): it writes straight
to that database with the ORM. Users `load-00000`... are created once and reused. Room r is a
case of its own team ("Load team ..."), whose members are the clients i with i % R == r: teams
of a realistic size (every room.joined frame lists the team's members). Every run gets fresh
sessions, so cookies never go stale. The file holds the cookie name, one cookie per client and
the case codes; bench/load.py and bench/idle_sockets.py read it.
"""

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")

ROOM_WORDS = [
    "amber",
    "birch",
    "cedar",
    "delta",
    "ember",
    "fable",
    "grove",
    "haven",
    "iris",
    "juniper",
]


def room_title(r):
    # Titles pass the de-identification guard: words only, no numbers that look like identifiers.
    return "Load room " + " ".join(ROOM_WORDS[int(d)] for d in str(r))


def ensure_users(n):
    from consult.accounts.models import Role, User

    names = [f"load-{i:05d}" for i in range(n)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    new = []
    for name in names:
        if name not in existing:
            user = User(username=name, first_name="Load", role=Role.PEER)
            # Signed in by session only; hashing 5,000 passwords is slow.
            user.set_unusable_password()
            new.append(user)
    User.objects.bulk_create(new, batch_size=1000)
    return list(User.objects.filter(username__in=names).order_by("username"))


def ensure_rooms(users, n):
    """Room r: a case of team r, whose members are users[r], users[r + n], users[r + 2n]..."""
    from consult.accounts.models import Membership, Team
    from consult.cases.models import Case
    from consult.cases.services import case_create

    codes = []
    for r in range(n):
        team, _ = Team.objects.get_or_create(name=room_title(r).replace("Load room", "Load team"))
        Membership.objects.bulk_create(
            [Membership(team=team, user=u) for u in users[r::n]],
            ignore_conflicts=True,
            batch_size=1000,
        )
        case = Case.objects.filter(team=team, title=room_title(r)).first()
        if case is None:
            case = case_create(actor=users[r], team_id=team.pk, title=room_title(r))
        codes.append(case.code)
    return codes


def new_sessions(users):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from consult.accounts.models import UserSession
    from consult.accounts.sessions import SESSION_ROW

    store = SessionStore()
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # The first backend that can load a user, as Django's force_login picks it (axes' comes first
    # and only guards logins).
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    # Each signed-in session has its UserSession row (consult/accounts/sessions.py), as a sign-in
    # makes: sockets are refused without one.
    now = timezone.now()
    # This setup's sessions replace the ones an earlier run made for the same users: left open,
    # they would lapse while idle and the servers' sweep would spend the next run ending them.
    stale = UserSession.objects.filter(user__in=users, ended_at__isnull=True)
    Session.objects.filter(session_key__in=stale.values("session_key")).delete()
    stale.delete()
    rows = UserSession.objects.bulk_create(
        [
            UserSession(
                user=u,
                session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
                created_at=now,
                last_seen_at=now,
                user_agent="bench",
            )
            for u in users
        ],
        batch_size=1000,
    )
    sessions = [
        Session(
            session_key=row.session_key,
            session_data=store.encode(
                {
                    SESSION_KEY: str(u.pk),
                    BACKEND_SESSION_KEY: backend,
                    HASH_SESSION_KEY: u.get_session_auth_hash(),
                    SESSION_ROW: row.pk,
                }
            ),
            expire_date=expires,
        )
        for u, row in zip(users, rows, strict=True)
    ]
    Session.objects.bulk_create(sessions, batch_size=1000)
    return [s.session_key for s in sessions]


def setup(clients, rooms):
    import django

    django.setup()
    from django.conf import settings

    users = ensure_users(clients)
    codes = ensure_rooms(users, rooms)
    data = {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "users": [u.pk for u in users],
        "cookies": new_sessions(users),
        "rooms": codes,
    }
    analyze()
    return data


def analyze():
    """The database as a server's own housekeeping keeps it, before a measurement: the presence
    rows of an earlier run's killed servers expired (the scheduler's job, consult/cases/rooms.py),
    dead rows vacuumed and planner statistics fresh for what this setup just bulk-loaded, as
    autovacuum gives a server minutes later. Without statistics PostgreSQL planned a 5,000-user
    table as the 300 rows it once had: a room join's team list scanned every user, and a join's
    database CPU went from 0.7 to 1.9 ms (autovacuum is off on some machines;
    consult/core/checks.py warns of it)."""
    from django.db import connection

    from consult.cases.rooms import expire_stale_presence

    expire_stale_presence()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--out", default=str(ROOT / "var" / "load.json"))
    args = parser.parse_args()
    data = setup(args.clients, args.rooms)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(data))
    print(f"{len(data['cookies'])} signed-in clients over {len(data['rooms'])} rooms → {args.out}")


if __name__ == "__main__":
    main()

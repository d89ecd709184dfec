import hashlib
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from consult.accounts import mfa
from consult.accounts.models import Membership, Role, Team, User
from consult.accounts.services import membership_add
from consult.cases.models import Case
from consult.cases.services import case_create
from consult.oncall.models import Shift
from consult.oncall.rota import shift_add

DEMO_PASSWORD = "consult-demo"

# username, first name, role, team.  Access: alice, bob and carol share the North team and
# see its cases; oscar is in the East team and sees none of them.
DEMO_USERS = [
    ("alice", "Alice Therapist", Role.THERAPIST, "North consultation group"),
    ("bob", "Bob Supervisor", Role.SUPERVISOR, "North consultation group"),
    ("carol", "Carol Peer", Role.PEER, "North consultation group"),
    ("oscar", "Oscar Outsider", Role.THERAPIST, "East consultation group"),
]

DEMO_CASES = [
    (
        "Adolescent with escalating self-harm",
        "Client in their teens; self-harm has increased over three weeks. Reports hopelessness "
        "after a breakup. No plan disclosed. Protective: close to a sibling, plays in a band.",
        "high",
    ),
    (
        "Adult client, grief and withdrawal",
        "Client in their forties, withdrawn since a bereavement last year. "
        "Sleeping poorly, skipping meals. Denies ideation; engaged in weekly sessions.",
        "moderate",
    ),
]


class Command(BaseCommand):
    help = "Load the demo team, users and cases (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = {
                name: self._user(name, full, role, team) for name, full, role, team in DEMO_USERS
            }
            alice = users["alice"]
            team = Team.objects.get(name=DEMO_USERS[0][3])
            for title, summary, risk in DEMO_CASES:
                if not Case.objects.filter(team=team, title=title).exists():
                    case_create(
                        actor=alice, team_id=team.pk, title=title, summary=summary, risk_level=risk
                    )
            self._on_call(users["bob"], team)
            second_factors = {
                user: self._second_factor(user) for user in users.values() if mfa.mfa_required(user)
            }
        self.stdout.write(
            f"Demo users (password: {DEMO_PASSWORD}): "
            + ", ".join(f"{name} ({role})" for name, _, role, _ in DEMO_USERS)
        )
        for user, (device, codes) in second_factors.items():
            self.stdout.write(
                f"{user.username} also needs a second step: add the key {mfa.totp_secret(device)} "
                f"to an authenticator app, or use one of these recovery codes (each works once; "
                f"every run prints fresh ones): " + " ".join(codes)
            )

    def _second_factor(self, user):
        """A supervisor must give a code after the password: the demo's app key is fixed (add it
        once), and the recovery codes are new on every run."""
        device = TOTPDevice.objects.filter(
            user=user, confirmed=True
        ).first() or TOTPDevice.objects.create(
            user=user,
            name=mfa.TOTP_NAME,
            confirmed=True,
            key=hashlib.sha1(f"consult-demo-{user.username}".encode()).hexdigest(),
        )
        return device, mfa.recovery_codes_replace(user)

    def _on_call(self, supervisor, team):
        """Bob is the North group's primary on call for the next month,
        so urgent consults page him."""
        now = timezone.now()
        if not Shift.objects.filter(team=team, supervisor=supervisor, ends_at__gt=now).exists():
            shift_add(
                actor=supervisor,
                team_id=team.pk,
                supervisor_id=supervisor.pk,
                tier=1,
                starts_at=now - timedelta(minutes=1),
                ends_at=now + timedelta(days=30),
            )

    def _user(self, username, full_name, role, team_name):
        first, last = full_name.split(" ", 1)
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "role": role}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        team, _ = Team.objects.get_or_create(name=team_name)
        if not Membership.objects.filter(team=team, user=user).exists():
            membership_add(actor=None, team=team, user=user)
        return user

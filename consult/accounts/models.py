from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    THERAPIST = "therapist", "Therapist"
    SUPERVISOR = "supervisor", "Supervisor"
    PEER = "peer", "Peer"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.THERAPIST)

    @property
    def display_name(self):
        return self.name_from(self.first_name, self.last_name, self.username)

    @staticmethod
    def name_from(first_name, last_name, username):
        """The name shown for a user, from the three columns (for rows read without a model)."""
        return f"{first_name} {last_name}".strip() or username

    @property
    def is_supervisor(self):
        return self.role in (Role.SUPERVISOR, Role.ADMIN)


class Team(models.Model):
    """A consultation group: its members see its cases, nobody else does."""

    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(User, through="Membership", related_name="teams")

    def __str__(self):
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]

    def __str__(self):
        return f"{self.user} in {self.team}"


class EndReason(models.TextChoices):
    SIGNED_OUT = "signed_out", "Signed out"
    REVOKED = "revoked", "Signed out from another session"
    IDLE = "idle", "Idle too long"
    EXPIRED = "expired", "Reached the session limit"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    DEACTIVATED = "deactivated", "Account deactivated"


class UserSession(models.Model):
    """One signed-in browser: what the Sessions page lists, what idle logoff ends.

    It follows one Django session (`session_key`, whose sockets are grouped by it); the Django
    session holds this row's id. Rows stay after they end, for the record of who was signed in.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    user_agent = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        indexes = [
            # The sweep's question: which open sessions passed their deadline.
            models.Index(
                fields=["last_seen_at"],
                name="open_session_last_seen",
                condition=models.Q(ended_at__isnull=True),
            ),
            models.Index(fields=["user", "ended_at"], name="session_user_ended"),
        ]

    def __str__(self):
        return f"session {self.pk} of {self.user_id}"

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
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]

    def __str__(self):
        return f"{self.user} in {self.team}"

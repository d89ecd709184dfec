import secrets

from django.conf import settings
from django.db import models

# Crockford-style alphabet without look-alikes (0/O, 1/I/L, U): codes are read aloud on the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_case_code():
    return "C-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))


class Status(models.TextChoices):
    OPEN = "open", "Open"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"


class RiskLevel(models.TextChoices):
    NONE = "none", "None"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    IMMINENT = "imminent", "Imminent"


RISK_ORDER = {level: rank for rank, level in enumerate(RiskLevel.values)}


class Case(models.Model):
    """A de-identified case: the code is random, and no field may identify the client."""

    code = models.CharField(max_length=8, unique=True, default=new_case_code)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="cases")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases"
    )
    title = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    risk_level = models.CharField(max_length=16, choices=RiskLevel.choices, default=RiskLevel.NONE)
    # The room's last message sequence number; messages take the next one under a row lock.
    last_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return self.code

    @property
    def risk_rank(self):
        return RISK_ORDER[self.risk_level]


class Message(models.Model):
    """Never edited by its writer: a correction is a new message pointing at the one it corrects.
    The one change: a supervisor's redaction of a confirmed false alarm (consult/falsealarms)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    seq = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_id = models.CharField(max_length=64)
    body = models.TextField()
    body_html = models.TextField()
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    # Spans the writer confirmed were not identifiers: [{"start", "end", "kind"}];
    # who is the author.
    deid_confirmations = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="one_message_per_room_seq"),
            models.UniqueConstraint(
                fields=["case", "author", "client_id"], name="one_message_per_client_id"
            ),
        ]
        ordering = ["case", "seq"]

    @property
    def corrects_seq(self):
        return self.corrects.seq if self.corrects_id else None


class ReadPosition(models.Model):
    """How far a member has read a room: every message up to `seq` was shown to them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="read_positions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="one_read_position_per_member")
        ]


class Presence(models.Model):
    """One open socket in a room. Rows of a crashed process age out after PRESENCE_TTL_SECONDS."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

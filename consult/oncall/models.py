"""On-call rota, consult requests, pages and outbound deliveries.

Everything that must survive a restart is a row with a due time: a consult's `escalate_at`, a
page's `next_repeat_at`, a delivery's `due_at`. The scheduler claims due rows; no timer in memory
holds anything that matters.
"""

from django.conf import settings
from django.db import models

from consult.cases.clinical import CONSULT_SIGNS

USER = settings.AUTH_USER_MODEL


class Tier(models.IntegerChoices):
    PRIMARY = 1, "Primary on-call"
    BACKUP = 2, "Backup on-call"
    TEAM = 3, "Every supervisor of the team"


class TeamPagingSettings(models.Model):
    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="paging_settings"
    )
    ack_seconds = models.PositiveIntegerField(
        default=180, help_text="Time to acknowledge before escalating."
    )
    repeat_seconds = models.PositiveIntegerField(
        default=60, help_text="An unacknowledged page repeats this often."
    )
    # For SMS or pager gateways: receives case code, urgency and a link, never clinical text.
    webhook_url = models.URLField(blank=True)

    class Meta:
        verbose_name_plural = "team paging settings"

    def __str__(self):
        return f"paging settings of {self.team}"


class Shift(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="shifts")
    supervisor = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="shifts")
    tier = models.PositiveSmallIntegerField(
        choices=[(1, "Primary"), (2, "Backup")], default=Tier.PRIMARY
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "tier"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.supervisor} {self.get_tier_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class Kind(models.TextChoices):
    ROUTINE = "routine", "Routine consult"
    URGENT = "urgent", "Urgent consult"
    SUPPORT = "support", "Support for me"


class State(models.TextChoices):
    OPEN = "open", "Waiting"  # routine and support: on supervisors' dashboards, no paging
    PAGING = "paging", "Paging"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    UNANSWERED = "unanswered", "Nobody has answered"
    RESOLVED = "resolved", "Resolved"


ACTIVE_STATES = (State.OPEN, State.PAGING, State.ACKNOWLEDGED, State.UNANSWERED)

WARNING_SIGNS = tuple(CONSULT_SIGNS)  # one boolean field each on ConsultRequest


class ConsultRequest(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="consult_requests"
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consult_requests",
    )  # empty for support requests
    requester = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="consult_requests")
    question = models.TextField()
    withdrawal = models.BooleanField(default=False)
    hopelessness = models.BooleanField(default=False)
    self_destructive = models.BooleanField(default=False)
    ideation = models.BooleanField(default=False)
    plan = models.BooleanField(default=False)
    intent = models.BooleanField(default=False)
    means = models.BooleanField(default=False)
    prior_attempts = models.BooleanField(default=False)
    protective_factors = models.BooleanField(default=False)
    signs_note = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=State.choices)
    tier = models.PositiveSmallIntegerField(default=0)  # the tier paged last; 0 before any page
    round = models.PositiveSmallIntegerField(
        default=1
    )  # a re-page starts a new round at the primary
    escalate_at = models.DateTimeField(
        null=True, blank=True
    )  # the scheduler's deadline; null when none
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "escalate_at"]),
            models.Index(fields=["team", "created_at"]),
        ]

    def __str__(self):
        return f"{self.kind} consult {self.pk}"

    @property
    def signs(self):
        return {name: getattr(self, name) for name in WARNING_SIGNS}

    @property
    def tier_label(self):
        return Tier(self.tier).label if self.tier else None  # None before the first page


class Page(models.Model):
    """One person paged for one consult at one tier; repeats on their devices until closed."""

    consult = models.ForeignKey(ConsultRequest, on_delete=models.CASCADE, related_name="pages")
    recipient = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="pages")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    round = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField()
    repeats = models.PositiveIntegerField(default=0)
    next_repeat_at = models.DateTimeField(null=True, blank=True)  # null once the page is closed
    seen_at = models.DateTimeField(
        null=True, blank=True
    )  # shown on a screen: not the same as acknowledged
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at"]
        # The database itself refuses a second page of one person at one tier: two schedulers
        # racing past every other guard still cannot page twice.
        constraints = [
            models.UniqueConstraint(
                fields=["consult", "round", "tier", "recipient"],
                name="one_page_per_person_per_tier",
            )
        ]
        indexes = [models.Index(fields=["next_repeat_at"])]

    @property
    def tier_label(self):
        return Tier(self.tier).label


class Delivery(models.Model):
    """An e-mail or webhook call waiting for the scheduler: the web request never talks outside."""

    EMAIL, WEBHOOK = "email", "webhook"
    channel = models.CharField(max_length=8, choices=[(EMAIL, "E-mail"), (WEBHOOK, "Webhook")])
    target = models.CharField(max_length=500)  # an address or a URL
    subject = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict)  # case code, urgency, link: never clinical text
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "due_at"])]


class DeliveryAttempt(models.Model):
    """One try at a delivery, kept: when it ran, what came back, and when the next try is due
    (exponential backoff; empty once it was sent or given up)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField()
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # the receiver's HTTP status
    error = models.CharField(max_length=200, blank=True)  # an error type or "HTTP 500": no content
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="one_row_per_delivery_try")
        ]

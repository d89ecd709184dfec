from dataclasses import dataclass

from django.conf import settings
from django.db import models

from consult.cases.clinical import CRISIS_LINE, EMERGENCY_SERVICES, resource_line


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    hint: str


# The Stanley-Brown steps plus reasons for living, in our own words
# (the official form is copyrighted).
SECTIONS = (
    Section(
        "warning_signs",
        "1. Signs that a crisis may be building",
        "Thoughts, moods, situations or behaviours the client notices first.",
    ),
    Section(
        "coping_strategies",
        "2. Things the client can do alone to feel steadier",
        "Activities that take the mind off the crisis without anyone else.",
    ),
    Section(
        "distractions",
        "3. People and places that offer distraction",
        "Roles and kinds of places, never names: \"a cousin\", \"the library\".",
    ),
    Section(
        "helpers",
        "4. People the client can ask for help",
        "Roles only: \"sister\", \"school counsellor\". No names, no numbers.",
    ),
    Section(
        "professionals",
        "5. Professionals and services to contact in a crisis",
        "The treating clinician, the crisis line and emergency services.",
    ),
    Section(
        "environment",
        "6. Making the surroundings safer",
        "How access to lethal means is limited, and who helps with that.",
    ),
    Section(
        "reasons_for_living",
        "Reasons for living",
        "What matters most to the client and is worth staying for.",
    ),
)
SECTION_NAMES = tuple(s.name for s in SECTIONS)
DEFAULT_PROFESSIONALS = "\n".join(
    (
        "Treating therapist during working hours",
        resource_line(CRISIS_LINE) + ", any time",
        resource_line(EMERGENCY_SERVICES) + ", or the nearest emergency department",
    )
)


class SafetyPlanVersion(models.Model):
    """One saved version of a case's safety plan. Never updated: every save is a new row."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="safety_plan_versions"
    )
    version = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    warning_signs = models.TextField(blank=True)
    coping_strategies = models.TextField(blank=True)
    distractions = models.TextField(blank=True)
    helpers = models.TextField(blank=True)
    professionals = models.TextField(blank=True)
    environment = models.TextField(blank=True)
    reasons_for_living = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="one_plan_version_per_case")
        ]
        ordering = ["case", "-version"]

    def sections(self):
        return {name: getattr(self, name) for name in SECTION_NAMES}

    def rows(self):
        """[(Section, text)] in the plan's order, for templates."""
        return [(section, getattr(self, section.name)) for section in SECTIONS]

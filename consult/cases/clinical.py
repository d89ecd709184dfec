"""The clinical vocabulary the apps share, defined once.

- WarningSign: the warning signs of suicide risk a risk picture records and a consult flags
  (a consult also says whether protective factors are present: CONSULT_SIGNS).
- CRISIS_RESOURCES: what every screen that may meet a crisis points to (the `consult.unanswered`
  frame, its e-mail, a new safety plan, the page footer, the offline page).

Templates get both through `context` (a context processor); the browser's scripts read them from
the page (base.html's json_script elements), never from a copy of their own.
"""

from django.db import models


class WarningSign(models.TextChoices):
    WITHDRAWAL = "withdrawal", "Withdrawal from people and activities"
    HOPELESSNESS = "hopelessness", "Hopelessness"
    SELF_DESTRUCTIVE = "self_destructive", "Self-destructive behaviour"
    IDEATION = "ideation", "Suicidal ideation"
    PLAN = "plan", "A plan"
    INTENT = "intent", "Intent to act"
    MEANS = "means", "Access to means"
    PRIOR_ATTEMPTS = "prior_attempts", "Prior attempts"


# name → label of each box on the consult form: the warning signs, then protective factors.
CONSULT_SIGNS = {**dict(WarningSign.choices), "protective_factors": "Protective factors present"}

CRISIS_LINE = {"name": "988 Suicide & Crisis Lifeline (US)", "contact": "call or text 988"}
EMERGENCY_SERVICES = {
    "name": "Emergency services",
    "contact": "call 911 (US) / 112 (EU) / your local emergency number",
}
CRISIS_RESOURCES = (
    CRISIS_LINE,
    EMERGENCY_SERVICES,
    {
        "name": "If your client is in immediate danger",
        "contact": "do not wait for a supervisor: call emergency services now",
    },
)


def resource_line(resource):
    return f"{resource['name']}: {resource['contact']}"


def context(request):
    """Context processor: the crisis resources and the consult form's signs, for every page."""
    return {
        "crisis_line": CRISIS_LINE,
        "emergency_services": EMERGENCY_SERVICES,
        "crisis_resources": CRISIS_RESOURCES,
        "consult_signs": CONSULT_SIGNS,
    }

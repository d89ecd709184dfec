"""Saving a safety plan: every save is a new version, guarded, audited and announced."""

from django.db import transaction

from consult.audit.chain import content_hash
from consult.audit.false_alarms import false_alarms_audit
from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases.access import Need, case_for
from consult.cases.services import case_view
from consult.core.errors import NotFound, TooLarge, ValidationFailed
from consult.deid.guard import guard_fields
from consult.events import frames
from consult.realtime.broadcast import case_group, publish_on_commit
from consult.records.safety.models import DEFAULT_PROFESSIONALS, SECTION_NAMES, SafetyPlanVersion

SECTION_MAX_CHARS = 4000


def plan_latest(case):
    return SafetyPlanVersion.objects.filter(case=case).order_by("-version").first()


def plan_blank():
    """What a first plan starts from: crisis line and emergency services are always there."""
    return {
        name: DEFAULT_PROFESSIONALS if name == "professionals" else "" for name in SECTION_NAMES
    }


def safety_plan_save(*, actor, case_code, sections, confirmations=None):
    """Store the plan as the case's next version; a save that changes nothing is refused."""
    with transaction.atomic():
        case = case_for(actor, case_code, need=Need.EDITOR, lock=True)  # who, before what
        sections = _clean(sections)
        accepted = guard_fields(sections, confirmations)
        previous = plan_latest(case)
        before = previous.sections() if previous else {}
        changed = [name for name in SECTION_NAMES if sections[name] != before.get(name)]
        if previous and not changed:
            raise ValidationFailed("nothing changed since the last version", field="warning_signs")
        plan = SafetyPlanVersion.objects.create(
            case=case, version=(previous.version if previous else 0) + 1, author=actor, **sections
        )
        audit_append(
            action=Action.SAFETY_PLAN_SAVED,
            actor=actor,
            case=case,
            payload={
                "plan_version_id": plan.pk,
                "version": plan.version,
                "changed_sections": changed,
                "sections_sha256": {name: content_hash(text) for name, text in sections.items()},
            },
        )
        false_alarms_audit(
            actor=actor,
            case=case,
            record={"plan_version_id": plan.pk},
            accepted=accepted,
            texts=sections,
        )
        publish_on_commit(
            case_group(case.pk), frames.safety_plan_saved(plan, code=case.code, by=actor)
        )
    return plan


def _clean(sections):
    unknown = set(sections) - set(SECTION_NAMES)
    if unknown:
        raise ValidationFailed("unknown safety plan section", field=sorted(unknown)[0])
    cleaned = {name: _normalise(sections.get(name, "")) for name in SECTION_NAMES}
    for name, text in cleaned.items():
        if len(text) > SECTION_MAX_CHARS:
            raise TooLarge(f"at most {SECTION_MAX_CHARS} characters per section", field=name)
    if not any(cleaned.values()):
        raise ValidationFailed("a safety plan needs at least one section", field="warning_signs")
    return cleaned


def _normalise(text):
    """One item per line, no trailing blanks: versions then compare line by line."""
    return "\n".join(line.rstrip() for line in text.strip().replace("\r\n", "\n").split("\n"))


def plan_versions(*, actor, case_code):
    case = case_view(actor=actor, case_code=case_code, page="safety_plan")
    return case, list(SafetyPlanVersion.objects.filter(case=case).select_related("author"))


def plan_version(*, actor, case_code, version):
    case = case_view(actor=actor, case_code=case_code, page=f"safety_plan:{version}")
    plan = (
        SafetyPlanVersion.objects.filter(case=case, version=version)
        .select_related("author")
        .first()
    )
    if plan is None:
        raise NotFound("no such version of the safety plan")
    return case, plan

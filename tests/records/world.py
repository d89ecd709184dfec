"""A North team with every role, and records to act on, for the permission matrix.

alice  therapist, owns the case     tess   therapist in North, not the owner
bob    supervisor, facilitates       ada    admin in North
carol  peer in North                 oscar  therapist in East: an outsider to everything here
"""

from dataclasses import dataclass

from consult.accounts.models import Role
from consult.records.guidance.services import guidance_log
from consult.records.reviews import services as reviews
from consult.records.safety.services import plan_blank, safety_plan_save
from tests.reviews.helpers import WHEN
from tests.support.people import make_user


@dataclass
class World:
    users: dict
    case: object
    entry: object
    scheduled: object
    live: object


def build_world(alice, bob, carol, oscar, north, north_case):
    users = {
        "owner": alice,
        "therapist": make_user("tess", Role.THERAPIST, north),
        "peer": carol,
        "supervisor": bob,
        "admin": make_user("ada", Role.ADMIN, north),
        "outsider": oscar,
    }
    for text in ("Stops answering messages", "Stops answering messages\nSleeps all day"):
        safety_plan_save(
            actor=alice, case_code=north_case.code, sections={**plan_blank(), "warning_signs": text}
        )
    entry = guidance_log(
        actor=bob, case_code=north_case.code, assessment="Engaged", recommendation="Weekly"
    )
    scheduled = reviews.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    live = reviews.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    reviews.review_open(actor=bob, session_id=live.pk)
    return World(users, north_case, entry, scheduled, live)

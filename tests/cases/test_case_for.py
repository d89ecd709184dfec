"""case_for, the one fetch-and-authorise for cases: each need, and the grant that opens a case to
read and post in but not to change.

Personas: alice owns the North case; bob supervises North; carol is a North peer; oscar is an
East therapist, an outsider; dave, made here, supervises East and holds an emergency grant to
the North case; ada, made here, is an admin on no team.
"""

import pytest

from consult.accounts.models import Role, Team
from consult.cases.access import Need, case_for
from consult.cases.services import case_update
from consult.core.errors import AccessDenied, NotFound
from consult.emergency.services import emergency_grant
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

REASON = "Client disclosed intent tonight; the owning therapist is unreachable."


@pytest.fixture
def dave(east, north_case):
    dave = make_user("dave", Role.SUPERVISOR, east)
    emergency_grant(actor=dave, case_code=north_case.code, reason=REASON, stepped_up=True)
    return dave


@pytest.fixture
def ada(db):
    return make_user("ada", Role.ADMIN, Team.objects.create(name="Admins"))


# need → who gets the case (everyone else in ROLES is refused with the error named)
EXPECTED = {
    Need.MEMBER: ({"alice", "bob", "carol", "dave"}, NotFound),
    Need.OWNER: ({"alice"}, AccessDenied),
    Need.EDITOR: ({"alice", "bob"}, AccessDenied),
    Need.SUPERVISOR: ({"bob"}, AccessDenied),
    Need.AUDITOR: ({"alice", "bob", "carol", "dave", "ada"}, NotFound),
    Need.BREAK_GLASS: ({"bob", "dave", "ada"}, AccessDenied),
}


@pytest.mark.parametrize("need", EXPECTED)
def test_it_gives_each_need_exactly_its_people(
    need, alice, bob, carol, oscar, dave, ada, north_case
):
    people = {"alice": alice, "bob": bob, "carol": carol, "oscar": oscar, "dave": dave, "ada": ada}
    allowed, refusal = EXPECTED[need]
    got = set()
    for name, user in people.items():
        try:
            assert case_for(user, north_case.code, need=need, lock=True) == north_case
            got.add(name)
        except (AccessDenied, NotFound) as error:
            # Outside the team (and without a grant) the case does not exist, whatever the need.
            outside = name in ("oscar", "ada") and need is not Need.BREAK_GLASS
            assert type(error) is (NotFound if outside else refusal), name
    assert got == allowed


def test_it_answers_a_missing_case_like_a_forbidden_one(alice, ada):
    for need in Need:
        with pytest.raises(NotFound):
            case_for(alice if need is not Need.BREAK_GLASS else ada, "C-ZZZZZ", need=need)


def test_a_grant_does_not_let_its_supervisor_change_the_case(dave, north_case):
    """The case's edit form took any supervisor the case was open to, the records' pages only its
    team's: one rule now, the team's."""
    with pytest.raises(AccessDenied):
        case_update(actor=dave, case_code=north_case.code, title="Renamed", reason="Tidying up")

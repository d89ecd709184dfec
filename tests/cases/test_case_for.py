"""case_for, the one fetch-and-authorise for cases: each need, and the grant that opens a case to
read and post in but not to change.

Personas: alice owns the North case; bob supervises North; carol is a North peer; oscar is an
East therapist, an outsider; olga supervises East and holds an emergency grant to the North
case here; dana is an admin in East.
"""

import ast
from pathlib import Path

import pytest

import consult
from consult.cases.access import Need, case_for
from consult.cases.services import case_update
from consult.core.errors import AccessDenied, NotFound
from consult.emergency.services import emergency_grant

pytestmark = pytest.mark.django_db

REASON = "Client disclosed intent tonight; the owning therapist is unreachable."


@pytest.fixture
def granted(olga, north_case):
    """olga, with an emergency grant to the North case."""
    emergency_grant(actor=olga, case_code=north_case.code, reason=REASON, stepped_up=True)
    return olga


# need → who gets the case (everyone else in ROLES is refused with the error named)
EXPECTED = {
    Need.MEMBER: ({"alice", "bob", "carol", "olga"}, NotFound),
    Need.OWNER: ({"alice"}, AccessDenied),
    Need.EDITOR: ({"alice", "bob"}, AccessDenied),
    Need.SUPERVISOR: ({"bob"}, AccessDenied),
    Need.AUDITOR: ({"alice", "bob", "carol", "olga", "dana"}, NotFound),
    Need.BREAK_GLASS: ({"bob", "olga", "dana"}, AccessDenied),
}


@pytest.mark.parametrize("need", EXPECTED)
def test_it_gives_each_need_exactly_its_people(
    need, alice, bob, carol, oscar, granted, dana, north_case
):
    people = {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "oscar": oscar,
        "olga": granted,
        "dana": dana,
    }
    allowed, refusal = EXPECTED[need]
    got = set()
    for name, user in people.items():
        try:
            assert case_for(user, north_case.code, need=need, lock=True) == north_case
            got.add(name)
        except (AccessDenied, NotFound) as error:
            # Outside the team (and without a grant) the case does not exist, whatever the need.
            outside = name in ("oscar", "dana") and need is not Need.BREAK_GLASS
            assert type(error) is (NotFound if outside else refusal), name
    assert got == allowed


def test_it_answers_a_missing_case_like_a_forbidden_one(alice, dana):
    for need in Need:
        with pytest.raises(NotFound):
            case_for(alice if need is not Need.BREAK_GLASS else dana, "C-ZZZZZ", need=need)


def test_a_grant_does_not_let_its_supervisor_change_the_case(granted, north_case):
    """The case's edit form took any supervisor the case was open to, the records' pages only its
    team's: one rule now, the team's."""
    with pytest.raises(AccessDenied):
        case_update(actor=granted, case_code=north_case.code, title="Renamed", reason="Tidying up")


# Modules that may read the case table themselves, and why. Everything else obtains a case
# through case_for (one case, authorised) or visible_cases (a user's list).
READS_CASES = {
    "cases/access.py": "case_for itself",
    "cases/store.py": "the post's own SQL, which states the MEMBER rule in its statement",
    "dashboard/management/commands/seed_demo.py": "demo data, no user asking",
}


def case_table_reads(tree):
    """Line numbers of `Case.objects...` (any manager) but `Case.objects.create(...)`."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("objects", "_default_manager", "_base_manager")
            and isinstance(node.value, ast.Name)
            and node.value.id == "Case"
        ):
            used = parents.get(node)
            if not (isinstance(used, ast.Attribute) and used.attr == "create"):
                yield node.lineno


def test_no_module_obtains_a_case_but_through_case_for():
    root = Path(consult.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "/migrations/" in relative or relative in READS_CASES:
            continue
        found += [f"{relative}:{line}" for line in case_table_reads(ast.parse(path.read_text()))]
    assert found == []


def test_the_check_sees_a_case_read_and_lets_a_creation_by():
    source = "Case.objects.filter(code=code).first()\nCase.objects.create(title='x')\n"
    assert list(case_table_reads(ast.parse(source))) == [1]

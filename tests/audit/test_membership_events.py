"""A team's membership changes land on every case of that team, from the account services and from
Django admin (which calls them), in the name of whoever made them."""

import pytest

from consult.accounts.models import Membership, Role, Team, User
from consult.accounts.services import membership_add, membership_remove
from consult.cases.services import case_create
from tests.support.audit import last_seq, trail

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_case(alice, north):
    return case_create(actor=alice, team_id=north.pk, title="Adult with low mood")


def test_it_records_an_added_member_on_each_case_of_the_team(bob, north, north_case, second_case):
    before = {case.pk: last_seq(case) for case in (north_case, second_case)}
    gil = User.objects.create_user("gil", password="pw-gil", role=Role.PEER)
    membership = membership_add(actor=bob, team=north, user=gil)
    for case in (north_case, second_case):
        assert trail(case, after=before[case.pk], seq=True) == [
            (
                before[case.pk] + 1,
                "team.membership_added",
                "bob",
                {"team_id": north.pk, "user_id": gil.pk, "membership_id": membership.pk},
            )
        ]


def test_it_records_a_removed_member_on_each_case_of_the_team(
    north, carol, north_case, second_case
):
    membership = Membership.objects.get(team=north, user=carol)
    membership_id = membership.pk
    before = {case.pk: last_seq(case) for case in (north_case, second_case)}
    membership_remove(actor=None, membership=membership)  # None: by the system
    for case in (north_case, second_case):
        assert trail(case, after=before[case.pk], seq=True) == [
            (
                before[case.pk] + 1,
                "team.membership_removed",
                None,
                {"team_id": north.pk, "user_id": carol.pk, "membership_id": membership_id},
            )
        ]


def test_it_leaves_other_teams_cases_alone(north_case, oscar, east):
    before = last_seq(north_case)
    membership_add(actor=None, team=east, user=User.objects.create_user("fay", password="pw-fay"))
    assert last_seq(north_case) == before


def inline_form(team, rows, *, delete_pk=None):
    data = {
        "name": team.name,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(sum(1 for pk, _ in rows if pk)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for n, (pk, user_pk) in enumerate(rows):
        data.update(
            {
                f"memberships-{n}-id": str(pk or ""),
                f"memberships-{n}-team": str(team.pk),
                f"memberships-{n}-user": str(user_pk),
            }
        )
        if pk and pk == delete_pk:
            data[f"memberships-{n}-DELETE"] = "on"
    return data


def test_it_names_the_admin_who_changed_memberships_in_django_admin(
    client, north, alice, carol, north_case
):
    root = User.objects.create_superuser("root", password="pw-root", role=Role.ADMIN)
    gil = User.objects.create_user("gil", password="pw-gil", role=Role.PEER)
    client.force_login(root)
    rows = [(m.pk, m.user_id) for m in Membership.objects.filter(team=north).order_by("pk")]
    carol_membership_id = Membership.objects.get(team=north, user=carol).pk
    before = last_seq(north_case)

    response = client.post(
        f"/admin/accounts/team/{north.pk}/change/",
        inline_form(north, rows + [(None, gil.pk)], delete_pk=carol_membership_id),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    added = Membership.objects.get(team=north, user=gil)
    assert trail(north_case, after=before, seq=True) == [
        (
            before + 1,
            "team.membership_removed",
            "root",
            {"team_id": north.pk, "user_id": carol.pk, "membership_id": carol_membership_id},
        ),
        (
            before + 2,
            "team.membership_added",
            "root",
            {"team_id": north.pk, "user_id": gil.pk, "membership_id": added.pk},
        ),
    ]
    assert Team.objects.get(pk=north.pk).members.filter(username="carol").count() == 0


def test_a_row_whose_member_was_changed_in_admin_is_a_removal_and_an_addition(
    client, north, carol, north_case
):
    root = User.objects.create_superuser("root", password="pw-root", role=Role.ADMIN)
    gil = User.objects.create_user("gil", password="pw-gil", role=Role.PEER)
    client.force_login(root)
    carols = Membership.objects.get(team=north, user=carol)
    rows = [
        (m.pk, gil.pk if m.pk == carols.pk else m.user_id)
        for m in Membership.objects.filter(team=north).order_by("pk")
    ]
    before = last_seq(north_case)

    response = client.post(f"/admin/accounts/team/{north.pk}/change/", inline_form(north, rows))

    assert response.status_code == 302, response.content.decode()[:2000]
    gils = Membership.objects.get(team=north, user=gil)
    assert trail(north_case, after=before, seq=True) == [
        (
            before + 1,
            "team.membership_removed",
            "root",
            {"team_id": north.pk, "user_id": carol.pk, "membership_id": carols.pk},
        ),
        (
            before + 2,
            "team.membership_added",
            "root",
            {"team_id": north.pk, "user_id": gil.pk, "membership_id": gils.pk},
        ),
    ]

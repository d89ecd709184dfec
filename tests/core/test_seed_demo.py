import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from consult.accounts.models import User
from consult.cases.models import Case
from consult.oncall.models import Shift

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_team_once_however_often_it_runs():
    call_command("seed_demo")
    call_command("seed_demo")
    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {
        "alice": "therapist",
        "bob": "supervisor",
        "carol": "peer",
        "oscar": "therapist",
    }
    assert Case.objects.filter(team__name="North consultation group").count() == 2
    assert Shift.objects.count() == 1
    assert (
        authenticate(RequestFactory().post("/login/"), username="alice", password="consult-demo")
        is not None
    )


def test_it_keeps_the_outsider_out_of_the_demo_cases():
    call_command("seed_demo")
    oscar = User.objects.get(username="oscar")
    assert not Case.objects.filter(team__memberships__user=oscar).exists()


def test_it_prints_a_second_factor_bob_can_sign_in_with(client):
    from io import StringIO

    from django_otp.plugins.otp_static.models import StaticToken

    out = StringIO()
    call_command("seed_demo", stdout=out)
    codes = out.getvalue().split("(each works once; every run prints fresh ones): ")[1].split()
    assert (
        len(codes) == 10 and StaticToken.objects.filter(device__user__username="bob").count() == 10
    )
    client.post("/login/", {"username": "bob", "password": "consult-demo"})
    assert client.get("/cases/").url.startswith("/account/mfa/verify/")
    assert (
        client.post("/account/mfa/verify/", {"code": codes[0], "next": "/cases/"}).url == "/cases/"
    )
    assert client.get("/cases/").status_code == 200

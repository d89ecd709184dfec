"""Signing in through the form, as the account tests do (the trail: tests/support/audit.py)."""


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})

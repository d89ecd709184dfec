"""`manage.py check --deploy --fail-level WARNING` passes with production settings made the way
deploy/env.example says, and refuses env.example's placeholders as they are."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def production_env():
    """A fresh environment as an operator fills it in from deploy/env.example."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "consult.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
        "WEBHOOK_SIGNING_SECRET": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "consult.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://consult.example.org",
        "SITE_URL": "https://consult.example.org",
        "DATABASE_URL": f"postgres://consult:{secrets.token_urlsafe(24)}@db.internal:5432/consult"
        "?sslmode=verify-full&sslrootcert=/etc/consult/db-ca.pem",
        "REDIS_URL": f"rediss://:{secrets.token_urlsafe(24)}@redis.internal:6380/0",
    }


def example_env():
    lines = (ROOT / "deploy" / "env.example").read_text().splitlines()
    pairs = (
        line.split("=", 1) for line in lines if line and not line.startswith("#") and "=" in line
    )
    return {name.strip(): value for name, value in pairs}


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_with_generated_secrets_over_https():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_it_refuses_every_placeholder_of_env_example():
    result = check_deploy({**production_env(), **example_env()})
    assert result.returncode != 0
    for name in (
        "SECRET_KEY",
        "AUDIT_HMAC_KEY",
        "WEBHOOK_SIGNING_SECRET",
        "REDIS_URL",
        "DATABASE_URL",
    ):
        assert f"{name} still holds the placeholder" in result.stderr


def test_it_warns_when_the_site_is_not_served_over_https():
    result = check_deploy({**production_env(), "HTTPS": "0"})
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr

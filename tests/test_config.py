"""Configuration parsing: booleans, e-mail URLs, the generated secret."""

import os
import stat
import subprocess
import sys

import pytest

from docuflow import config


def test_secret_is_generated_once_with_mode_0600(tmp_path):
    path = tmp_path / "secret_key"
    first = config.read_or_create_secret(path)
    assert len(first) >= 50
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert config.read_or_create_secret(path) == first


def test_email_url_smtp_with_credentials_and_starttls():
    parsed = config.email_settings("smtp://mailer:s%40cret@mail.example:2525?tls=1&from=ops@x.test")
    assert parsed["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert (parsed["EMAIL_HOST"], parsed["EMAIL_PORT"]) == ("mail.example", 2525)
    assert (parsed["EMAIL_HOST_USER"], parsed["EMAIL_HOST_PASSWORD"]) == ("mailer", "s@cret")
    assert parsed["EMAIL_USE_TLS"] is True and parsed["EMAIL_USE_SSL"] is False
    assert parsed["DEFAULT_FROM_EMAIL"] == "ops@x.test"


def test_email_url_defaults_to_console_and_smtps_is_implicit_tls():
    assert config.email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtps = config.email_settings("smtps://mail.example")
    assert smtps["EMAIL_PORT"] == 465 and smtps["EMAIL_USE_SSL"] is True


def test_bad_values_fail_loudly(monkeypatch):
    with pytest.raises(ValueError):
        config.email_settings("http://mail.example")
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(ValueError):
        config.env_bool("X_FLAG")
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ValueError):
        config.env_int("X_INT", 5, minimum=1)


def _django(args, tmp_path, **env):
    full_env = {
        **os.environ,
        "DOCUFLOW_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "docuflow.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "django", *args], env=full_env, capture_output=True, text=True
    )


def test_check_deploy_passes_in_production_mode(tmp_path):
    result = _django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DOCUFLOW_PRODUCTION="1",
        ALLOWED_HOSTS="docs.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_debug_is_refused_in_production_mode(tmp_path):
    result = _django(["check"], tmp_path, DOCUFLOW_PRODUCTION="1", DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG cannot be on in production mode" in result.stderr

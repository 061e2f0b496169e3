"""Secrets come from the environment (or var/ outside production), DEBUG is off unless asked for, production
settings pass ``check --deploy``, and error pages are in Chinese."""
import os
import re
import secrets as random_secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, SuspiciousOperation
from django.urls import path

import config.urls

BASE_DIR = Path(__file__).resolve().parents[2]
NAMES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY")
# Environment variables the settings read that would change what these tests see.
SETTINGS_ENV = NAMES + ("DATABASE_URL", "DEBUG", "DJANGO_ENV", "KJTPY_VAR_DIR", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT",
                        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
                        "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")

# --- No secret in the code ------------------------------------------------------------------------------------
_NAME = r"(?:SECRET_KEY|FIELD_ENCRYPTION_KEY)"
_LITERAL = r"[rbuf]*(?:\"[^\"\n]+\"|'[^'\n]+')"  # a non-empty string literal
DEFAULT_SECRET = [
    # An assignment or keyword argument: the name, "=", a literal (settings, override_settings, dict(...)).
    re.compile(r"\b%s\s*=\s*%s" % (_NAME, _LITERAL)),
    # A default: os.environ.get / getenv / setdefault / pop with the quoted name, then a literal.
    re.compile(r"\b(?:get|getenv|setdefault|pop)\(\s*[\"']%s[\"']\s*,\s*%s" % (_NAME, _LITERAL)),
    # A dict entry: the quoted name, ":", a literal.
    re.compile(r"[\"']%s[\"']\s*:\s*%s" % (_NAME, _LITERAL)),
]


def _secret_literals(text):
    return [line.strip() for line in text.splitlines() if any(pattern.search(line) for pattern in DEFAULT_SECRET)]


def test_the_pattern_catches_the_old_fallback_key():
    name = "SECRET" + "_KEY"  # split so that this file does not match itself
    assert _secret_literals('%s = os.environ.get("%s", "dev-only-insecure-key")' % (name, name))
    assert _secret_literals('FIELD_ENCRYPTION%s = "x" * 44' % name[6:])
    assert _secret_literals('env = {"%s": "abc"}' % name)
    assert not _secret_literals('%s = os.environ.get("%s", "")' % (name, name))
    assert not _secret_literals("settings.FIELD_ENCRYPTION%s = new" % name[6:])


def test_no_python_file_holds_a_default_secret():
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
                                cwd=BASE_DIR, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    assert "config/settings.py" in listed
    found = {}
    for name in listed:
        file = BASE_DIR / name
        if file.is_file():
            hits = _secret_literals(file.read_text(encoding="utf-8", errors="replace"))
            if hits:
                found[name] = hits
    assert found == {}


# --- Settings in a fresh process ------------------------------------------------------------------------------
def _env(tmp_path, **extra):
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_ENV}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by conftest.py for the test process only
    env.update(KJTPY_VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def _run(args, env):
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=240)


SHOW = ("import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG); print(s.SECRET_KEY); print(s.FIELD_ENCRYPTION_KEY)")


def _new_keys():
    from cryptography.fernet import Fernet

    return {"SECRET_KEY": random_secrets.token_urlsafe(64), "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode()}


@pytest.mark.parametrize("missing", NAMES)
def test_production_settings_refuse_to_start_without_each_secret(tmp_path, missing):
    keys = _new_keys()
    del keys[missing]
    # Key files left in var/ are never used in production.
    (tmp_path / "var").mkdir()
    for name in NAMES:
        (tmp_path / "var" / name.lower()).write_text(_new_keys()[name])
    result = _run(["manage.py", "check"], _env(tmp_path, DJANGO_ENV="production", **keys))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "%s must be set in the environment" % missing in result.stderr


def test_production_refuses_a_field_key_that_is_not_a_fernet_key(tmp_path):
    keys = _new_keys()
    keys[NAMES[1]] = "not-a-key"
    result = _run(["manage.py", "check"], _env(tmp_path, DJANGO_ENV="production", **keys))
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY is not a valid Fernet key" in result.stderr


def test_production_refuses_a_weak_or_placeholder_secret_key(tmp_path):
    for weak in ("change-me-to-a-long-random-string-never-this-one-but-now-long-enough", "short-key"):
        keys = _new_keys()
        keys[NAMES[0]] = weak
        result = _run(["manage.py", "check"], _env(tmp_path, DJANGO_ENV="production", **keys))
        assert result.returncode != 0, weak
        assert "SECRET_KEY is too weak or a placeholder" in result.stderr


def test_production_settings_pass_check_deploy_without_a_warning(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                  _env(tmp_path, DJANGO_ENV="production", DEBUG="1", **_new_keys()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_keeps_debug_off_and_uses_the_environment_keys(tmp_path):
    keys = _new_keys()
    result = _run(["-c", SHOW], _env(tmp_path, DJANGO_ENV="production", DEBUG="1", **keys))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", keys["SECRET_KEY"], keys["FIELD_ENCRYPTION_KEY"]]


def test_debug_is_off_unless_asked_for(tmp_path):
    off = _run(["-c", SHOW], _env(tmp_path))
    assert off.returncode == 0, off.stderr
    assert off.stdout.split()[0] == "False"
    on = _run(["-c", SHOW], _env(tmp_path, DEBUG="1"))
    assert on.stdout.split()[0] == "True"


def test_key_files_in_var_are_created_once_private_and_reused(tmp_path):
    from cryptography.fernet import Fernet

    first = _run(["-c", SHOW], _env(tmp_path))
    assert first.returncode == 0, first.stderr
    var = tmp_path / "var"
    for name in ("secret_key", "field_encryption_key"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600
    _, secret_key, field_key = first.stdout.split()
    assert len(secret_key) >= 50 and (var / "secret_key").read_text().strip() == secret_key
    assert (var / "field_encryption_key").read_text().strip() == field_key
    Fernet(field_key.encode())
    assert sorted(p.name for p in var.iterdir()) == ["field_encryption_key", "secret_key"]  # no temporary left

    again = _run(["-c", SHOW], _env(tmp_path))
    assert again.stdout.split()[1:] == [secret_key, field_key]
    # The environment still wins over the files.
    keys = _new_keys()
    override = _run(["-c", SHOW], _env(tmp_path, **keys))
    assert override.stdout.split()[1:] == [keys["SECRET_KEY"], keys["FIELD_ENCRYPTION_KEY"]]
    assert (var / "secret_key").read_text().strip() == secret_key


def test_an_emptied_key_file_is_an_error_not_a_new_key(tmp_path):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "field_encryption_key").write_text("")
    result = _run(["-c", SHOW], _env(tmp_path))
    assert result.returncode != 0
    assert "field_encryption_key is empty" in result.stderr


# --- The ID-number key is never derived -------------------------------------------------------------------------
def test_the_field_key_is_not_derived_from_the_secret_key(settings):
    import base64
    import hashlib

    from teams import protect

    derived = base64.urlsafe_b64encode(hashlib.sha256(("kjtpy-protect:fernet:%s" % settings.SECRET_KEY).encode())
                                       .digest()).decode()
    assert settings.FIELD_ENCRYPTION_KEY and settings.FIELD_ENCRYPTION_KEY != derived
    token = protect.seal("44022419800101123X")

    settings.FIELD_ENCRYPTION_KEY = ""
    protect._fernet.cache_clear()
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY"):
        protect.seal("44022419800101123X")
    with pytest.raises(ImproperlyConfigured):
        protect.unseal(token)
    del settings.FIELD_ENCRYPTION_KEY
    with pytest.raises(ImproperlyConfigured):
        protect.seal("44022419800101123X")


# --- Error pages ----------------------------------------------------------------------------------------------
def _boom(request):
    raise RuntimeError("boom")


def _forbidden(request):
    raise PermissionDenied


def _bad(request):
    raise SuspiciousOperation("bad")


# This module doubles as a URLconf: three failing views in front of the real URLs (the pages link to them).
urlpatterns = [
    path("test-errors/boom/", _boom),
    path("test-errors/forbidden/", _forbidden),
    path("test-errors/bad/", _bad),
    *config.urls.urlpatterns,
]


@pytest.fixture
def error_client(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
def test_a_missing_page_is_the_chinese_404(error_client):
    response = error_client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and 'data-testid="error-404"' in text
    assert "/static/css/app.css" in text  # the site's own layout
    assert "Traceback" not in text and "Page not found" not in text


def test_a_missing_page_for_a_signed_in_user_keeps_the_shell(error_client, world):
    error_client.force_login(world["renhua_st"])
    response = error_client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and "返回工作台" in text and 'data-testid="who"' in text


@pytest.mark.django_db
def test_forbidden_is_the_chinese_403(error_client):
    response = error_client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.django_db
def test_a_bad_request_is_the_chinese_400(error_client):
    response = error_client.get("/test-errors/bad/")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


@pytest.mark.django_db
def test_a_server_error_is_the_chinese_500_without_a_traceback(error_client):
    response = error_client.get("/test-errors/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "服务器内部错误" in text and 'data-testid="error-500"' in text
    assert "boom" not in text and "Traceback" not in text


def test_a_stale_form_gets_a_chinese_csrf_page(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "renhua_st", "password": "x"})
    assert response.status_code == 403
    assert "页面已过期，请刷新后重新提交" in response.content.decode()


def test_a_get_on_an_action_url_explains_itself_in_chinese(world, login):
    response = login("renhua_st").get("/accounts/logout/")
    assert response.status_code == 405 and "请从页面上的按钮操作" in response.content.decode()

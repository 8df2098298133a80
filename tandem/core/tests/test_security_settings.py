"""What the browser is told to enforce, and the production settings behind it (docs/security.md)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tandem.asks.tests.factories import AskFactory
from tandem.people.tests.factories import ApiTokenFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "tandem.settings.base",
    "ENV_FILE": "",
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "tandem.example.com",
}
SHOWN = [
    "DEBUG",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "PASSWORD_HASHERS",
    "SESSION_IDLE_TIMEOUT",
    "SESSION_ABSOLUTE_TIMEOUT",
    "SESSION_COOKIE_AGE",
    "TWO_FACTOR_REQUIRED_ROLES",
]


@pytest.fixture(scope="module")
def production() -> dict:
    """The settings a production server loads from the environment alone (no `.env` values win)."""
    env = {**os.environ, **PRODUCTION_ENV}
    for name in ("DATABASE_URL", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        env.pop(name, None)
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {SHOWN!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_host_only_and_hidden_from_scripts(production):
    """ASVS 3.4.1 (Secure), 3.4.2 (HttpOnly), 3.4.4 (`__Host-` prefix)."""
    assert production["SESSION_COOKIE_NAME"] == "__Host-tandem_session"
    assert production["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True


def test_production_speaks_only_https(production):
    """ASVS 9.1.1 and 14.4.5: redirect to HTTPS, HSTS for a year with subdomains."""
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_production_runs_without_debug(production):
    """ASVS 14.3.2"""
    assert production["DEBUG"] is False


def test_passwords_are_hashed_with_argon2(production):
    """ASVS 2.4.1 (and 2.4.4's work factor: Django's Argon2id parameters)."""
    assert production["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_sessions_time_out_as_asvs_level_2_asks_by_default(production):
    """ASVS 3.3.2: 30 minutes idle, 12 hours at most; the cookie lives no longer than the session."""
    assert production["SESSION_IDLE_TIMEOUT"] == 30 * 60
    assert production["SESSION_ABSOLUTE_TIMEOUT"] == 12 * 3600
    assert production["SESSION_COOKIE_AGE"] == production["SESSION_ABSOLUTE_TIMEOUT"]
    assert production["TWO_FACTOR_REQUIRED_ROLES"] == []  # optional unless the operator requires it


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client, rep):
    """ASVS 14.4.3 (issue 15, finding 6): no inline or eval'd script, no plugins, no framing, no <base>."""
    client.force_login(rep)

    policy = client.get(reverse("dashboards:home"))["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"] + directives["style-src"]


@pytest.mark.django_db
def test_the_browser_is_told_not_to_sniff_frame_or_leak_referrers(client, rep):
    """ASVS 14.4.4 (nosniff), 14.4.6 (Referrer-Policy), 14.4.7 (no framing)."""
    client.force_login(rep)

    response = client.get(reverse("dashboards:home"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_signed_in_pages_are_not_cached(client, rep):
    """ASVS 8.2.1"""
    client.force_login(rep)

    cache_control = client.get(reverse("dashboards:home"))["Cache-Control"]

    assert "no-store" in cache_control
    assert "private" in cache_control


@pytest.mark.django_db
def test_api_answers_are_attachments_not_pages(client, rep):
    """ASVS 14.4.2, and 14.4.1: every answer names its type and character set."""
    ApiTokenFactory(user=rep, key="tdm_headers")

    response = client.get("/api/me", HTTP_AUTHORIZATION="Bearer tdm_headers")

    assert response["Content-Disposition"] == 'attachment; filename="api.json"'
    assert response["Content-Type"].startswith("application/json")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_no_cross_origin_access_is_granted(client, rep):
    """ASVS 14.5.3: no CORS header for any origin, so other sites' scripts cannot read answers."""
    ApiTokenFactory(user=rep, key="tdm_cors")

    response = client.get("/api/me", HTTP_AUTHORIZATION="Bearer tdm_cors", HTTP_ORIGIN="https://evil.example")

    assert "Access-Control-Allow-Origin" not in response


TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "tandem"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_event_handler():
    """The policy would block them: scripts live in static files, data goes through json_script."""
    offenders = []
    for root in TEMPLATE_DIRS:
        for path in [*root.rglob("*.html"), *root.rglob("*.jinja")]:
            text = path.read_text()
            if INLINE_SCRIPT.search(text) or EVENT_HANDLER.search(text) or "javascript:" in text:
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []


@pytest.mark.django_db
def test_what_people_type_is_escaped_on_the_page(client, rep):
    """ASVS 5.3.3 (and 5.3.10 for the Jinja2 list tables)."""
    deal = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep)
    ask = AskFactory(opportunity=deal, need='<script>alert("x")</script><img src=x onerror=alert(1)>')
    client.force_login(rep)

    detail = client.get(reverse("asks:ask_detail", args=[ask.pk])).content.decode()
    listed = client.get(reverse("asks:ask_list")).content.decode()

    for html in (detail, listed):
        assert '<script>alert("x")' not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_forms_without_the_csrf_token_are_refused(rep):
    """ASVS 4.2.2 and 13.2.3: pages and the session-authenticated API both check the token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)

    page = client.post(reverse("people:profile"), {"first_name": "Rita", "time_zone": "UTC"})
    api = client.post("/api/asks", data="{}", content_type="application/json")

    assert page.status_code == 403
    assert api.status_code == 403


@pytest.mark.django_db
def test_the_api_token_is_read_from_the_authorization_header_only(client, rep):
    """ASVS 8.3.1 and 13.1.3: a token in a URL would end up in logs and browser history."""
    ApiTokenFactory(user=rep, key="tdm_in-a-url")

    assert client.get("/api/me", {"token": "tdm_in-a-url", "access_token": "tdm_in-a-url"}).status_code == 401


@pytest.mark.django_db
def test_methods_a_route_does_not_take_are_refused(client, rep):
    """ASVS 13.2.1 and 14.5.1"""
    ApiTokenFactory(user=rep, key="tdm_methods")
    client.force_login(rep)

    assert client.put("/api/me", HTTP_AUTHORIZATION="Bearer tdm_methods").status_code == 405
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("people:two_factor_setup")).status_code == 405

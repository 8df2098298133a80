"""Test settings: the base, plus only what tests need."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
# Tests see the same settings on every machine: a developer's `.env` is not read, and so does not
# reach the production-like servers the tests start either.
os.environ.setdefault("ENV_FILE", "")

from tandem.settings.base import *  # noqa: F403
from tandem.settings.base import DATABASES, STORAGES

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Browsers refuse `__Host-` cookies that are not Secure; the browser tests' server speaks plain HTTP.
SESSION_COOKIE_NAME = "tandem_session"
CSRF_COOKIE_NAME = "csrftoken"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Pages read the navigation's counts every time, so that query-count tests count them; the tests of
# keeping them (core/tests/test_navigation.py) set it back.
NAVIGATION_COUNTS_FRESH_SECONDS = 0

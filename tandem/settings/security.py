"""Sign-in, sessions, abuse limits and browser policies (docs/security.md lists what each one is for).

Imported at the end of `tandem.settings.base`, which has read `.env` into the environment. Every
number here comes from the environment with a safe default (`.env.example`).
"""

import datetime

import environ
from csp.constants import NONE, SELF

env = environ.Env()

AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in of a locked-out account or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Passwords (ASVS 2.1): a length floor, a ceiling that still allows long passphrases, no rule on
# which characters, and a check against the 20,000 most common passwords that ships with Django
# (offline). Django's NumericPasswordValidator is left out: it is a composition rule (ASVS 2.1.9).
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)
PASSWORD_MAX_LENGTH = 128
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "tandem.people.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "tandem.people.passwords.MaximumLengthValidator",
        "OPTIONS": {"max_length": PASSWORD_MAX_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Failed sign-ins (django-axes): an account is locked after SIGN_IN_ACCOUNT_LIMIT failures, an
# address after SIGN_IN_ADDRESS_LIMIT (higher: an office signs in through one address), each for
# SIGN_IN_LOCKOUT_MINUTES after the last failure. Admins unlock in the admin (People → Users →
# "Unlock sign-in") or with `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`.
SIGN_IN_ACCOUNT_LIMIT = env.int("SIGN_IN_ACCOUNT_LIMIT", default=10)
SIGN_IN_ADDRESS_LIMIT = env.int("SIGN_IN_ADDRESS_LIMIT", default=50)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = SIGN_IN_ACCOUNT_LIMIT
AXES_HANDLER = "tandem.people.lockout.AccountAndAddressHandler"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=15))
# A locked-out person who keeps trying (or tries with the right password) must not push the end of
# the lockout further away: it ends SIGN_IN_LOCKOUT_MINUTES after the failure that caused it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the address's failures: one attacker's own account would reset them.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "tandem.people.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "tandem.core.http.client_ip"
# Axes keeps a row per sign-in; Tandem needs only the failures to count.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Sign-in decisions are logged with the username and address (ASVS 7.2.1); passwords never (axes
# masks them always), and neither are CSRF tokens or two-factor codes in the stored form data.
AXES_SENSITIVE_PARAMETERS = ["csrfmiddlewaretoken", "code"]

# The number of reverse proxies in front of Tandem that append the client's address to
# X-Forwarded-For (0: Tandem faces the clients; 1: nginx or a load balancer). The sign-in lockout
# and the API limits count per address, so this must be right, or every client is the proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Two-factor sign-in with a TOTP app (django-otp). Optional for everyone; roles listed here must
# set it up before they can use Tandem (comma-separated role values, e.g. "admin,executive").
OTP_TOTP_ISSUER = env.str("TWO_FACTOR_ISSUER", default="Tandem")
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=[])

# Sessions (ASVS 3.3): signed out after SESSION_IDLE_MINUTES without a request, and
# SESSION_MAX_HOURS after signing in whatever the activity. ASVS level 2 asks for 30 minutes / 12 hours.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_MAX_HOURS", default=12) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Request bodies: anything larger is refused with 413 before it is read (tandem.core.middleware).
# The default is Django's own limit on form data (2.5 MiB), now applied to every body.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=2_621_440)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES

# API limits, counted in the database so that every web process shares them (tandem.core.ratelimit):
# API_RATE_LIMIT requests per API_RATE_WINDOW seconds per token (or per signed-in person using the
# session); API_BAD_TOKEN_LIMIT unknown or revoked tokens per window per address. 0 turns a limit off.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=600)
API_RATE_WINDOW = env.int("API_RATE_WINDOW", default=60)
API_BAD_TOKEN_LIMIT = env.int("API_BAD_TOKEN_LIMIT", default=20)

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from Tandem itself only;
# no inline script anywhere (pages pass data to scripts with json_script). Inline style *attributes*
# are allowed (progress bars' widths, chart heights), inline <style> elements are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

"""Every setting of the portal, read from the environment and secure by default.

Production runs on this module alone (``DJANGO_SETTINGS_MODULE=portal.settings.base``);
``dev.py`` and ``test.py`` only supply development defaults and test overrides.
"""

from pathlib import Path

import dj_database_url

from portal.settings.env import (
    email_settings_from_url,
    env_bool,
    env_fernet_keys,
    env_int,
    env_list,
    env_networks,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

# --- GENERAL -----------------------------------------------------------------------------
SECRET_KEY = env_required("SECRET_KEY")
# Secrets stored in the database (PBX, SIP trunk and CSTA passwords, token-signing keys) are
# encrypted with these Fernet keys: the first encrypts, every one decrypts (core/crypto.py,
# rotation in docs/production.md). Required like SECRET_KEY; dev.py and test.py derive a default.
PORTAL_ENCRYPTION_KEYS = env_fernet_keys("PORTAL_ENCRYPTION_KEYS")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "core.views.csrf_failure"  # JSON under /api/

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "core",
    "portal",
    "accounts",
    "oauth",
    "integrations",
    "gateways",
    "media",
    "notifications",
    "chat",
    "sso",
]

MIDDLEWARE = [
    "core.middleware.CorrelationIdMiddleware",
    "core.middleware.RequestLimitsMiddleware",  # NUL characters, body sizes: before anything reads them
    "oauth.applications.middleware.MitelAppUsageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.csp.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "oauth.middleware.ApiRateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.ApiDebugErrorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.ActiveAccountMiddleware",  # after messages: it flashes why the session ended
    "core.i18n.middleware.UserLanguageMiddleware",  # after the above: reading request.user may end the session
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SecondFactorSetupMiddleware",  # after sessions, auth and messages
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.console",
            ],
        },
    },
]

# --- DATABASES ---------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# --- CACHE (rate limits, throttling, shared across processes through Redis) ---------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- AUTH / ALLAUTH ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.AccountEmailBackend"]
# Argon2id signs in at about twice PBKDF2's rate for equal strength (docs/production.md); the
# others stay so that older hashes still verify and are rehashed with Argon2id at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.SignInForm",
    "reset_password": "accounts.forms.PortalResetPasswordForm",
    "change_password": "accounts.forms.PortalChangePasswordForm",
}
# A changed or reset password is confirmed by email ("was it you?").
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Emails are unique per account, not globally; allauth keeps no EmailAddress rows here (users carry
# their email), so its UNIQUE_EMAIL default constrains nothing and email sign-in stays allowed.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
# An address no user has receives nothing (docs/security.md): allauth's "unknown account" email is off.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Sign-in throttling (accounts/sign_in_throttle.py), one policy for the console and the API:
# N failures for one email from one client address within T lock that pair for T ...
PORTAL_SIGN_IN_FAILURES = env_str("PORTAL_SIGN_IN_FAILURES", "5/5m")
# ... and N failures from one address, any email, lock the address (high: many users share a proxy).
PORTAL_SIGN_IN_ADDRESS_FAILURES = env_str("PORTAL_SIGN_IN_ADDRESS_FAILURES", "1000/m")
ACCOUNT_RATE_LIMITS = {
    "login_failed": "",  # replaced by the two settings above
    "login": "1000/m/ip",  # every console sign-in POST per address (allauth's default 30/m/ip would lock a proxy)
    "reset_password": "20/m/ip,5/m/key",
}
# The client address behind a TLS proxy (core/throttle.py client_address, also allauth's): the
# number of proxies that append to X-Forwarded-For, or a header a proxy sets (X-Real-IP). 0 / unset:
# REMOTE_ADDR, and X-Forwarded-For is ignored (a client can write anything in it).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("PORTAL_TRUSTED_CLIENT_IP_HEADER", "") or None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CloudLink] "
# Second factors (docs/mfa.md): an authenticator app (TOTP) with recovery codes, and passkeys /
# security keys (WebAuthn). A passkey is a second factor here, not a password replacement.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env_str("PORTAL_MFA_TOTP_ISSUER", "CloudLink Accounts Console")
# WebAuthn refuses an http:// origin unless this allows it (the demo and the tests on localhost).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("PORTAL_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)

# --- INTERNATIONALISATION ----------------------------------------------------------------
# The console's languages (docs/languages.md): the catalogues are locale/<code>/LC_MESSAGES/django.po,
# compiled to .mo by `manage.py compiletranslations` (make install/run/test).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pt-br", "Português (Brasil)"),
    ("sv", "Svenska"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# DATE_FORMAT and DATETIME_FORMAT per language (day and month in each language's order).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- STATIC ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- EMAIL -------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CloudLink Console <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
globals().update(email_settings_from_url(env_str("EMAIL_URL", "outbox://")))

# --- CELERY (no broker: tasks run in-process) ---------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
# The queue tasks go to and workers consume: deployments sharing one broker each use their own.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis: an unacknowledged task of a lost worker goes back to the queue after visibility_timeout
# seconds (checked every unacked_restore_interval * unacked_restore_throttle seconds).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
}
# Celery beat (`celery -A portal beat`): the periodic work, in seconds.
CELERY_BEAT_SCHEDULE = {
    # Re-check every monitored CloudLink Gateway's PBX connection (gateways/tasks.py).
    "gateways-recheck": {"task": "gateways.tasks.gateways_recheck_task", "schedule": 300.0},
}

# --- REQUEST BODIES ----------------------------------------------------------------------------
# The largest request body (Content-Length) any route accepts, console and API: larger is 413 before
# it is read (core.middleware.RequestLimitsMiddleware). File uploads have their own cap: the
# CSV user import and the PBX user list (2 MiB files, accounts/user_import/parse.py and gateways/pbx_users/parse.py).
PORTAL_MAX_BODY_BYTES = env_int("PORTAL_MAX_BODY_BYTES", 1024 * 1024)
# Django's own ceiling on a body read into memory (JSON, form fields); it must stay at least the
# largest per-route cap above (the PBX list API takes a 2 MiB JSON body).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024 // 2)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- DRF / API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth.authentication.CloudLinkTokenAuthentication",
        "oauth.authentication.ConsoleSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",  # DRF's, with a nesting limit
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CloudLink Accounts Console API",
    "VERSION": "2017-09-01",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies are documented as JSON; flat resources also take form fields (docs/api.md), and
    # /token, /authorize and /guest/token document both.
    "PARSER_WHITELIST": ["core.api.parsers.JSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.docs.document_request_limits",  # 400 (NUL, deep JSON) and 413 on every operation
    ],
    # USER or ACCOUNT_ADMIN (a user's new role, a deployment's role) beside the full role lists.
    "ENUM_NAME_OVERRIDES": {"ExchangeableRoleEnum": ["USER", "ACCOUNT_ADMIN"]},
}
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "x-mitel-app",
    "x-mitel-correlation-id",
    "x-requested-with",
]
CORS_EXPOSE_HEADERS = ["x-mitel-correlation-id", "retry-after"]

# --- PORTAL ------------------------------------------------------------------------------
# Public base URL of the token issuer (the ``iss`` claim); defaults to the request's host.
PORTAL_TOKEN_ISSUER = env_str("PORTAL_TOKEN_ISSUER", "")
PORTAL_ACCESS_TOKEN_SECONDS = env_int("PORTAL_ACCESS_TOKEN_SECONDS", 3600)
PORTAL_REFRESH_TOKEN_SECONDS = env_int("PORTAL_REFRESH_TOKEN_SECONDS", 14 * 24 * 3600)
# Absolute lifetime of a sign-in (a refresh-token family, or a guest's identity): rotation never
# extends it beyond its first issue plus this; then the password (or a new guest token) again.
PORTAL_REFRESH_FAMILY_MAX_AGE = env_int("PORTAL_REFRESH_FAMILY_MAX_AGE", 30 * 24 * 3600)
PORTAL_AUTHORIZATION_CODE_SECONDS = env_int("PORTAL_AUTHORIZATION_CODE_SECONDS", 60)
# Lifetime of a token from POST /assume-role/token (a partner admin as ACCOUNT_ADMIN of a customer).
PORTAL_ASSUMED_ROLE_SECONDS = env_int("PORTAL_ASSUMED_ROLE_SECONDS", 900)
# Opt-in API rate limit, "<requests>/<seconds>" per client (verified token principal, else address); empty = off.
PORTAL_API_RATE_LIMIT = env_str("PORTAL_API_RATE_LIMIT", "")
PORTAL_PAGE_SIZE = 25
# Absolute base of links in emails (welcome, password reset); services have no request to ask.
# The footer's Support and Legal links (templates/components/_footer_links.html).
PORTAL_SUPPORT_URL = env_str("PORTAL_SUPPORT_URL", "https://www.mitel.com/support")
PORTAL_LEGAL_URL = env_str("PORTAL_LEGAL_URL", "https://www.mitel.com/legal")
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PORTAL_WELCOME_LINK_DAYS = env_int("PORTAL_WELCOME_LINK_DAYS", 7)
# Single sign-on (docs/sso.md): an OpenID Connect issuer on a loopback http:// address is refused
# unless this is on (tests, demos); clock skew accepted on assertions and ID tokens.
PORTAL_SSO_ALLOW_LOOPBACK_HTTP = env_bool("PORTAL_SSO_ALLOW_LOOPBACK_HTTP", False)
PORTAL_SSO_CLOCK_SKEW_SECONDS = env_int("PORTAL_SSO_CLOCK_SKEW_SECONDS", 120)
# How long a sign-in sent to an identity provider may take to come back.
PORTAL_SSO_SIGN_IN_SECONDS = env_int("PORTAL_SSO_SIGN_IN_SECONDS", 600)
# The Outbox (sent emails of EMAIL_URL=outbox://) for admins, each reading their own users' emails;
# platform operators (staff) always read every email (accounts.access.can_read_outbox).
PORTAL_SHOW_OUTBOX = env_bool("PORTAL_SHOW_OUTBOX", DEBUG)
# Outbound connections to user-typed addresses (core/netpolicy.py, against SSRF): the PBX may be
# public or private; webhooks only public. Loopback, link-local, cloud metadata, multicast and
# reserved addresses are refused unless listed here (comma-separated CIDRs).
PORTAL_PBX_ALLOWED_NETWORKS = env_networks("PORTAL_PBX_ALLOWED_NETWORKS")
PORTAL_WEBHOOK_ALLOWED_NETWORKS = env_networks("PORTAL_WEBHOOK_ALLOWED_NETWORKS")
# Notifications (notifications/): failed deliveries retry base * 2**n + jitter seconds.
PORTAL_WEBHOOK_TIMEOUT = env_int("PORTAL_WEBHOOK_TIMEOUT", 10)
PORTAL_WEBHOOK_MAX_RETRIES = env_int("PORTAL_WEBHOOK_MAX_RETRIES", 6)
PORTAL_WEBHOOK_RETRY_BASE = env_int("PORTAL_WEBHOOK_RETRY_BASE", 10)
PORTAL_WEBHOOK_RETRY_MAX_DELAY = env_int("PORTAL_WEBHOOK_RETRY_MAX_DELAY", 3600)

# --- SECURITY ----------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy of every HTML response (core/csp.py): no inline code, nothing from another
# origin. A view may widen it for its own response only (docs/security.md lists where and why).
PORTAL_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# Browser features no console page uses are switched off; the copy buttons write to the clipboard.
PORTAL_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": ["self"],  # passkeys as a second factor (docs/mfa.md)
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "clipboard-read": [],
    "clipboard-write": ["self"],
}

# --- LOGGING (every line carries the request's correlation id) ------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "core.logging.CorrelationIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["correlation"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

"""Configuration: environment variables, then the data home's patrol.toml, then defaults in the
data home (api/home.py: PATROL_HOME, default ./var)."""
import os
from pathlib import Path

from api import home

ROOT = Path(__file__).resolve().parent.parent


def _default_var_dir():
    return home.home_dir()


# Signs pagination cursors. Known to everyone who has the source: never used outside development.
DEV_SECRET_KEY = "dev-only-secret"
SECRET_KEY_FILE = "secret_key"


def data_home():
    """Where this installation keeps its own files: ``PATROL_HOME``, else the var directory."""
    return Path(os.environ.get("PATROL_HOME") or _default_var_dir())


def secret_key_from_env_or_home():
    """``(key, source)``: ``PATROL_SECRET_KEY``, else the ``secret_key`` file in the data home,
    else the built-in development key (source ``"builtin"``)."""
    key = os.environ.get("PATROL_SECRET_KEY")
    if key:
        return key, "env"
    path = data_home() / SECRET_KEY_FILE
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError:
        key = ""
    if key:
        return key, "file"
    return DEV_SECRET_KEY, "builtin"


def ensure_secret_key(home=None):
    """The data home's secret key file, made (random, 0600) if missing; returns its path.
    Safe from several processes: the file is created exclusively, a loser reads the winner's."""
    import secrets

    home = Path(home) if home else data_home()
    home.mkdir(parents=True, exist_ok=True)
    path = home / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(48) + "\n")
    return path


def dev_mode():
    return os.environ.get("PATROL_DEV", "") in ("1", "true", "yes")


class Config:
    """Read once at app creation; every value can be overridden by a test mapping."""

    def __init__(self, overrides=None):
        var_dir = _default_var_dir()
        settings, self.SETTINGS_PROBLEMS = home.read_settings(var_dir)
        env = dict(settings, **os.environ)  # the environment wins over patrol.toml
        self.PATROL_HOME = str(var_dir)
        self.DATABASE_URL = env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'patrol.db'}"
        self.PATROL_MEDIA_DIR = env.get("PATROL_MEDIA_DIR") or str(var_dir / "media")
        # "local" (default) or "s3"; S3 settings below are read only when "s3".
        self.PATROL_STORAGE = env.get("PATROL_STORAGE", "local")
        self.PATROL_S3_BUCKET = env.get("PATROL_S3_BUCKET", "patrol-media")
        self.PATROL_S3_ENDPOINT = env.get("PATROL_S3_ENDPOINT")
        self.PATROL_S3_REGION = env.get("PATROL_S3_REGION", "us-east-1")
        # the company's own copy in the data home once `patrol init` made it, else the shipped defaults
        own = var_dir / "checklists"
        self.PATROL_CHECKLISTS_DIR = env.get("PATROL_CHECKLISTS_DIR") or str(
            own if (own / "policy.yaml").is_file() else home.defaults_dir())
        self.PATROL_TIMEZONE = env.get("PATROL_TIMEZONE", "Asia/Shanghai")
        self.PATROL_TOKEN_TTL_HOURS = int(env.get("PATROL_TOKEN_TTL_HOURS", 720))
        self.PATROL_MAX_UPLOAD_MB = int(env.get("PATROL_MAX_UPLOAD_MB", 25))
        self.PATROL_MAX_IMAGE_PIXELS = int(env.get("PATROL_MAX_IMAGE_PIXELS", 60_000_000))
        # the console's address, if on another host than the API: the browser login may go back to it
        self.PATROL_CONSOLE_URL = env.get("PATROL_CONSOLE_URL", "")
        # unfinished chunked uploads; default: beside the media directory (``<media>.partial``)
        self.PATROL_UPLOAD_DIR = env.get("PATROL_UPLOAD_DIR", "")
        # A phone clock this far ahead of the server is flagged, not trusted for deadlines.
        self.PATROL_CLOCK_SKEW_MINUTES = int(env.get("PATROL_CLOCK_SKEW_MINUTES", "10"))
        self.PATROL_LOGIN_MAX_FAILURES = int(env.get("PATROL_LOGIN_MAX_FAILURES", "5"))
        self.PATROL_LOGIN_WINDOW_SECONDS = int(env.get("PATROL_LOGIN_WINDOW_SECONDS", "300"))
        # after PATROL_LOGIN_MAX_FAILURES for one account from one address, each try waits this long,
        # doubling; one address may fail this often across accounts, one account from all addresses
        self.PATROL_LOGIN_BACKOFF_SECONDS = float(env.get("PATROL_LOGIN_BACKOFF_SECONDS", "30"))
        self.PATROL_LOGIN_MAX_PER_ADDRESS = int(env.get("PATROL_LOGIN_MAX_PER_ADDRESS", "20"))
        self.PATROL_LOGIN_MAX_PER_ACCOUNT = int(env.get("PATROL_LOGIN_MAX_PER_ACCOUNT", "100"))
        # how many reverse proxies (TLS terminators) stand in front and set X-Forwarded-For/-Proto;
        # 0: none, the socket's address is the caller's (a forged X-Forwarded-For is ignored)
        self.PATROL_TRUSTED_PROXIES = int(env.get("PATROL_TRUSTED_PROXIES", "0"))
        # passwords set through `patrol users add|set-password` (and any password API) at least this long
        self.PATROL_PASSWORD_MIN_LENGTH = int(env.get("PATROL_PASSWORD_MIN_LENGTH", "8"))
        # Argon2id cost of password hashes (default OWASP's m = 19 MiB, t = 2: api/domain/passwords.py)
        self.PATROL_ARGON2_MEMORY_KIB = int(env.get("PATROL_ARGON2_MEMORY_KIB", 19 * 1024))
        self.PATROL_ARGON2_TIME_COST = int(env.get("PATROL_ARGON2_TIME_COST", 2))
        # SQLite durability: WAL + NORMAL never loses a commit when the *process* dies
        # (SIGKILL, crash); only an OS crash or power cut can roll back the last commits.
        # Set FULL to fsync every commit as well, at some cost in write throughput.
        self.PATROL_SQLITE_SYNCHRONOUS = env.get("PATROL_SQLITE_SYNCHRONOUS", "NORMAL")
        # the language of messages for a caller that sends no Accept-Language ("en" or "zh")
        self.PATROL_DEFAULT_LANGUAGE = env.get("PATROL_DEFAULT_LANGUAGE", "en")
        self.SECRET_KEY, self.PATROL_SECRET_KEY_SOURCE = secret_key_from_env_or_home()
        if self.PATROL_SECRET_KEY_SOURCE == "builtin" and settings.get("SECRET_KEY"):
            self.SECRET_KEY, self.PATROL_SECRET_KEY_SOURCE = settings["SECRET_KEY"], "file"
        self.API_TITLE = "patrol"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api"
        self.OPENAPI_JSON_PATH = "v1/openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = None  # served locally by api.docs (no CDN)
        self.MAX_CONTENT_LENGTH = self.PATROL_MAX_UPLOAD_MB * 1024 * 1024
        self.JSON_SORT_KEYS = False
        if overrides:
            for k, v in overrides.items():
                setattr(self, k, v)

    def as_dict(self):
        return {k: getattr(self, k) for k in dir(self) if k.isupper()}

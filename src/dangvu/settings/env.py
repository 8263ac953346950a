"""The one place that reads the environment.

Variables:
- DATABASE_URL: e.g. postgres://user:pass@127.0.0.1:5432/dangvu; SQLite under the data
  directory when absent.
- DANGVU_DATA_DIR: SQLite file, uploads, logs and the generated secret key (default ./data);
  created readable by its owner only (0700), like the SQLite file and the key (0600).
- DANGVU_SECRET_KEY: generated into the data directory when absent.
- DANGVU_DEBUG: "1" turns debug on (off by default).
- DANGVU_ALLOWED_HOSTS: comma-separated host names (default localhost,127.0.0.1).
- DANGVU_SECURE_COOKIES: "1" when served over HTTPS: Secure cookies and HSTS (and, with
  DANGVU_BEHIND_PROXY, http:// redirected to https://).
- DANGVU_BEHIND_PROXY: "1" trusts one reverse proxy's X-Forwarded-Proto and X-Forwarded-For.
- DANGVU_LOGIN_FAILURE_LIMIT, DANGVU_LOGIN_ADDRESS_FAILURE_LIMIT: failed sign-ins before a
  15-minute lockout, per user name and address (5) and per address across names (20).
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

__all__ = ["env_bool", "env_list", "env_str", "data_dir", "private_file", "secret_key"]


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def data_dir() -> Path:
    """The data directory; created readable by its owner only (it holds the SQLite file with
    every member's record, uploads and the secret key). An existing directory is left as the
    operator made it."""
    path = Path(env_str("DANGVU_DATA_DIR", "data")).resolve()
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode passes through the umask
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty and readable by its owner only (0600) unless it exists, so that a
    program opening it afterwards (SQLite) finds it with these permissions instead of making
    it with the umask's (usually 0644). SQLite gives its -wal and -shm files the database
    file's permissions."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    os.fchmod(fd, 0o600)  # os.open's mode passes through the umask too
    os.close(fd)
    return path


def secret_key(directory: Path) -> str:
    key = env_str("DANGVU_SECRET_KEY")
    if key:
        return key
    key_file = directory / "secret_key"
    try:
        # Created 0600 before the key is written (never readable by others, not even briefly),
        # and only by the first process to start: a second one reads the first one's key.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()

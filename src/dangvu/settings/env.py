"""The one place that reads the environment.

Variables:
- DATABASE_URL: e.g. postgres://user:pass@127.0.0.1:5432/dangvu; SQLite under the data
  directory when absent.
- DANGVU_DATA_DIR: SQLite file, uploads, logs and the generated secret key (default ./data).
- DANGVU_SECRET_KEY: generated into the data directory when absent.
- DANGVU_DEBUG: "1" turns debug on (off by default).
- DANGVU_ALLOWED_HOSTS: comma-separated host names (default localhost,127.0.0.1).
- DANGVU_SECURE_COOKIES: "1" marks cookies Secure (set it behind HTTPS).
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

__all__ = ["env_bool", "env_list", "env_str", "data_dir", "secret_key"]


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
    path = Path(env_str("DANGVU_DATA_DIR", "data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    key = env_str("DANGVU_SECRET_KEY")
    if key:
        return key
    key_file = directory / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()

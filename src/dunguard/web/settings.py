"""Settings of the web app, validated once and passed to ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from dunguard.errors import ConfigError

__all__ = ["WebSettings"]


@dataclass(frozen=True, slots=True)
class WebSettings:
    db_url: str = "sqlite://"
    """SQLAlchemy URL of the database; ``sqlite://`` is in memory (tests)."""
    evidence_dir: Path = field(default_factory=lambda: Path("dunguard-data/evidence"))
    session_ttl: timedelta = timedelta(hours=12)
    max_upload_bytes: int = 20 * 1024 * 1024
    """Largest request body accepted (all files of one upload together)."""
    max_files: int = 20
    secure_cookies: bool = False
    """Mark cookies Secure (behind HTTPS); off for the loopback default."""
    login_window: timedelta = timedelta(minutes=15)
    max_failures_per_account: int = 5
    max_failures_per_client: int = 20
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    """Argon2id cost (RFC 9106's second recommended setting by default: t=3, 64 MiB). Tests
    lower the memory to stay fast; production keeps the default or raises it."""
    argon2_parallelism: int = 4

    def __post_init__(self) -> None:
        if self.max_upload_bytes <= 0:
            raise ConfigError("max_upload_bytes must be positive")
        if self.max_files <= 0:
            raise ConfigError("max_files must be positive")
        if self.argon2_memory_kib < 8 * self.argon2_parallelism or self.argon2_time_cost < 1:
            raise ConfigError("argon2 cost too low: memory >= 8 KiB per lane, time cost >= 1")
        if self.session_ttl <= timedelta(0):
            raise ConfigError("session_ttl must be positive")

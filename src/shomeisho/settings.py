"""Settings, read once at the edge (CLI, web app) and passed inward; library code never reads env.

Outside demo mode a placeholder passphrase is refused: a forgotten default protecting real signing
keys is how a government certificate gets forged.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_PASSPHRASE = "demo-passphrase-not-for-production"  # noqa: S105 - a documented demo value
DEMO_SECRET = "demo-record-secret-not-for-production"  # noqa: S105 - a documented demo value
PLACEHOLDERS = {"", "changeme", "change-me", "secret", "password", DEMO_PASSPHRASE, DEMO_SECRET}


class Settings(BaseSettings):
    """Everything configurable, from ``SHOMEISHO_*`` environment variables or a ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="SHOMEISHO_", env_file=".env", extra="ignore")

    demo: bool = False
    data_dir: Path = Path("shomeisho-data")
    key_passphrase: SecretStr = SecretStr("")
    country: str = "JP"
    country_alpha3: str = "JPN"
    shc_issuer_url: str = "https://demo.shomeisho.example.jp/issuer"
    # None: SQLite in data_dir (records.sqlite3); production: postgresql://user@host/db
    database_url: str | None = None
    # HMAC key for My Number hashes and the signing key of staff session cookies
    record_secret: SecretStr = SecretStr("")
    # where browsers reach this service (redirect URIs and the built-in provider's issuer)
    public_url: str = "http://127.0.0.1:8000"
    # OpenID Connect: None runs the built-in demo provider at {public_url}/idp
    oidc_issuer: str | None = None
    oidc_client_id: str = "shomeisho"
    oidc_client_secret: SecretStr = SecretStr("")
    # whether overseas certificates include an EU DCC (where the operator has DCC keys onboarded)
    issue_dcc: bool = True
    # scheduled jobs inside the service (self-check, KPI roll-up): on for `serve`, off in tests
    # that build apps directly unless they ask for them
    background_jobs: bool = False
    # the end-to-end self-check (docs/operations.md, "Self-check"): every `selfcheck_interval`
    # seconds inside the service, the first run `selfcheck_first_delay` seconds after start;
    # each request's timeout and the whole run's deadline; its synthetic resident's municipality
    selfcheck_interval: float = 3600.0
    selfcheck_first_delay: float = 30.0
    selfcheck_timeout: float = 10.0
    selfcheck_deadline: float = 60.0
    selfcheck_municipality: str = "131016"
    # alerts: a JSON POST here when the self-check fails, stays red (at most every
    # `alert_repeat_hours`) or recovers, and daily warnings; None: the log only
    alert_webhook_url: str | None = None
    alert_repeat_hours: float = 6.0
    alert_timeout: float = 5.0
    # operations (docs/operations.md): the commit /status shows (else `git rev-parse HEAD` of a
    # checkout, else "unknown"); warnings this many days before a signing certificate expires
    # and a trust list is due, or when the list is older than the maximum age; how long
    # /readyz reuses its key probes and trust-list reads; the level of the JSON logs
    commit: str | None = None
    warn_days: int = 30
    trust_list_warn_days: int = 2
    trust_list_max_age_days: int = 14
    readiness_cache_seconds: float = 10.0
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        secret = self.key_passphrase.get_secret_value()
        if self.demo:
            if not secret:
                self.key_passphrase = SecretStr(DEMO_PASSPHRASE)
            if not self.record_secret.get_secret_value():
                self.record_secret = SecretStr(DEMO_SECRET)
            if not self.oidc_client_secret.get_secret_value():
                self.oidc_client_secret = SecretStr(DEMO_SECRET)
            return self
        if secret.strip().lower() in PLACEHOLDERS:
            raise ValueError(
                "SHOMEISHO_KEY_PASSPHRASE is missing or a placeholder; set a real passphrase, "
                "or use demo mode (--demo / SHOMEISHO_DEMO=true) for demo keys"
            )
        record_secret = self.record_secret.get_secret_value()
        if record_secret.strip().lower() in PLACEHOLDERS or len(record_secret) < 32:
            raise ValueError(
                "SHOMEISHO_RECORD_SECRET is missing, a placeholder or shorter than 32 characters; "
                "set a long random value (it keys My Number hashes and staff sessions), or use "
                "demo mode"
            )
        return self

    def resolved_database_url(self) -> str:
        """The database to use: the setting, or the embedded SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'records.sqlite3').resolve()}"

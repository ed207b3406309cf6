"""Settings, read once at the edge (CLI, web app) and passed inward; library code never reads env.

Outside demo mode a placeholder passphrase is refused: a forgotten default protecting real signing
keys is how a government certificate gets forged.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_PASSPHRASE = "demo-passphrase-not-for-production"  # noqa: S105 - a documented demo value
PLACEHOLDERS = {"", "changeme", "change-me", "secret", "password", DEMO_PASSPHRASE}


class Settings(BaseSettings):
    """Everything configurable, from ``SHOMEISHO_*`` environment variables or a ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="SHOMEISHO_", env_file=".env", extra="ignore")

    demo: bool = False
    data_dir: Path = Path("shomeisho-data")
    key_passphrase: SecretStr = SecretStr("")
    country: str = "JP"
    country_alpha3: str = "JPN"
    shc_issuer_url: str = "https://demo.shomeisho.example.jp/issuer"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        secret = self.key_passphrase.get_secret_value()
        if self.demo:
            if not secret:
                self.key_passphrase = SecretStr(DEMO_PASSPHRASE)
            return self
        if secret.strip().lower() in PLACEHOLDERS:
            raise ValueError(
                "SHOMEISHO_KEY_PASSPHRASE is missing or a placeholder; set a real passphrase, "
                "or use demo mode (--demo / SHOMEISHO_DEMO=true) for demo keys"
            )
        return self

"""Encryption at rest for credentials: Fernet (AES-128-CBC + HMAC) with key rotation."""

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be url-safe base64 Fernet keys (32 bytes each), comma-separated."
        ) from exc


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Stored credentials cannot be decrypted with FIELD_ENCRYPTION_KEY: was the key changed? "
            "Keep the old key after the new one in FIELD_ENCRYPTION_KEY while rotating."
        ) from exc


class EncryptedJSONField(models.TextField):
    """A dict stored as one Fernet token; the database never sees the plain text."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dict | None:
        if value is None or value == "":
            return {} if value == "" else None
        return json.loads(decrypt(value))

    def to_python(self, value: Any) -> dict | None:
        if isinstance(value, dict) or value is None:
            return value
        return json.loads(decrypt(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return encrypt(json.dumps(value, sort_keys=True))

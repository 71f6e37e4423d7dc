"""Encryption at rest for credentials: Fernet (AES-128-CBC + HMAC) with key rotation.

Rotation: put the new key first in ``FIELD_ENCRYPTION_KEY`` and keep the old one after it, run
``manage.py reencrypt_credentials`` (every stored token re-encrypted with the first key), then drop the old
key. A row that no configured key decrypts (a wrong or dropped key) loads as ``Unreadable``: pages that show
the connection still work and say what is wrong, the error is logged, the sync refuses with the same words,
and saving the row keeps its token untouched, so restoring the right key brings it back.
"""

import json
import logging
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


log = logging.getLogger(__name__)

UNREADABLE_MESSAGE = (
    "Stored credentials cannot be decrypted with FIELD_ENCRYPTION_KEY: was the key changed? Put the old key "
    "back after the new one in FIELD_ENCRYPTION_KEY and run `manage.py reencrypt_credentials`, or store the "
    "credentials again with `manage.py add_org`."
)


class Unreadable(dict):
    """Credentials whose token no configured key decrypts: empty, and they remember the token."""

    unreadable = True

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token


def fernet() -> MultiFernet:
    return _fernet()


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
        try:
            return json.loads(decrypt(value))
        except ImproperlyConfigured as exc:
            if isinstance(exc.__cause__, InvalidToken):
                log.error("%s (%s.%s)", UNREADABLE_MESSAGE, self.model.__name__, self.name)
                return Unreadable(value)
            raise

    def to_python(self, value: Any) -> dict | None:
        if isinstance(value, dict) or value is None:
            return value
        return json.loads(decrypt(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, Unreadable):
            return value.token  # never overwrite what the right key could still read
        return encrypt(json.dumps(value, sort_keys=True))

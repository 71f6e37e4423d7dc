"""API keys for the REST API: one per org, user and purpose (a Salesforce widget, a script …).

A key is ``coach_<prefix>.<secret>``: the prefix (8 hex characters) is stored in clear so that a key can be
found and recognised in lists; the secret is 32 random bytes and only its SHA-256 is stored. A fast hash is
enough here because the secret is random and long (nothing to guess from a dictionary), and it keeps each
request to one indexed lookup. The plaintext is returned once, when the key is issued, and never again.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

KEY_LEAD = "coach_"
PREFIX_LENGTH = 8


def default_lifetime() -> timedelta | None:
    """How long a new key lives unless its issuer says otherwise (``API_KEY_LIFETIME_DAYS``; 0: no expiry)."""
    days = getattr(settings, "API_KEY_LIFETIME_DAYS", 365)
    return timedelta(days=days) if days else None


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def split_key(plaintext: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, or None."""
    if not plaintext.startswith(KEY_LEAD):
        return None
    prefix, dot, secret = plaintext[len(KEY_LEAD) :].partition(".")
    if not dot or len(prefix) != PREFIX_LENGTH or not secret:
        return None
    return prefix, secret


class ApiKey(models.Model):
    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="api_keys")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="What the key is for, e.g. 'Salesforce widget'.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the whole key.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Refused from then on; blank: never expires.")

    class Meta:
        db_table = "coaching_apikey"  # the table kept its name when the model moved here
        verbose_name = "API key"
        ordering = ["org", "user", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({KEY_LEAD}{self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @classmethod
    def issue(
        cls, org: models.Model, user: models.Model, name: str, *, lifetime: timedelta | str | None = "default"
    ) -> tuple["ApiKey", str]:
        """A new key and its plaintext (shown once; only the hash is kept). ``lifetime``: None never expires;
        by default ``API_KEY_LIFETIME_DAYS`` (a year)."""
        life = default_lifetime() if isinstance(lifetime, str) else lifetime
        if life is not None and life <= timedelta(0):
            raise ValueError("A key's lifetime must be positive (or none, for a key that never expires).")
        expires_at = timezone.now() + life if life is not None else None
        for _ in range(5):
            prefix, secret = secrets.token_hex(PREFIX_LENGTH // 2), secrets.token_urlsafe(32)
            plaintext = f"{KEY_LEAD}{prefix}.{secret}"
            try:
                with transaction.atomic():
                    key = cls.objects.create(
                        org=org,
                        user=user,
                        name=name,
                        prefix=prefix,
                        hashed_secret=hash_key(plaintext),
                        expires_at=expires_at,
                    )
            except IntegrityError:  # a prefix collision: draw again
                continue
            return key, plaintext
        raise RuntimeError("could not draw an unused API key prefix")

    def matches(self, plaintext: str) -> bool:
        return hmac.compare_digest(self.hashed_secret, hash_key(plaintext))

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

"""A bare org directory: only ``<SObject>.json`` files (a sandbox export, a hand-made test org).

The emulator serves it like one ``generate_org`` wrote: on first use it makes up default login material
and writes it beside the data, as ``generate_org`` does (``org.json`` with an integration user, a
connected app and a session id; ``server.key`` for the JWT flow, mode 0600). Nothing is overwritten: a
directory that already has an ``org.json`` is left alone, and two processes racing to make one end up
sharing the first one written. These credentials unlock only the emulator.
"""

import json
import os
import re
import secrets
import string
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from sfemulator.sfids import make_id

ORG_FILE, KEY_FILE = "org.json", "server.key"
_OBJECT_FILE_RE = re.compile(r"^[A-Z][A-Za-z0-9_]*\.json$")
_ALPHABET = string.ascii_letters + string.digits


def is_bare(directory: Path) -> bool:
    """Whether ``directory`` holds object files but no ``org.json``."""
    if not directory.is_dir() or (directory / ORG_FILE).exists():
        return False
    return any(_OBJECT_FILE_RE.match(entry.name) and entry.is_file() for entry in os.scandir(directory))


def _slug(directory: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", directory.resolve().name.lower()).strip("-")
    return slug[:40] or "org"


def _token(length: int, alphabet: str = _ALPHABET) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _certificate(key: rsa.RSAPrivateKey, company: str) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{company} coachapp JWT")])
    issued = datetime.now(UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(issued)
        .not_valid_after(issued + timedelta(days=3 * 365))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def default_settings(directory: Path, key: rsa.RSAPrivateKey) -> dict:
    slug = _slug(directory)
    org_id = make_id("00D", zlib.crc32(str(directory.resolve()).encode()) % 10**9 + 1)
    return {
        "org_id": org_id,
        "instance_url": f"https://{slug}.my.salesforce.com",
        "api_daily_limit": 15000,
        "users": [
            {
                "username": f"integration@{slug}.example",
                "password": _token(16),
                "security_token": _token(24),
                "refresh_token": "5Aep861" + _token(80, _ALPHABET + "._"),
            }
        ],
        "connected_app": {
            "consumer_key": "3MVG9" + _token(80, _ALPHABET + "._"),
            "consumer_secret": _token(64, "0123456789ABCDEF"),
            "certificate": _certificate(key, slug),
        },
        "session_ids": [f"{org_id[:15]}!AQ" + _token(94, _ALPHABET + "._")],
        "made_for_bare_directory": True,
    }


def _publish(directory: Path, name: str, content: bytes, mode: int) -> bool:
    """Write ``name`` only if it does not exist yet (link of a finished temporary file: never half a file)."""
    temporary = directory / f".{name}.{secrets.token_hex(6)}.partial"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.link(temporary, directory / name)
        return True
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)


def ensure_org_files(directory: str | os.PathLike[str]) -> bool:
    """Make up ``org.json`` and ``server.key`` for a bare directory; True if this call wrote them.

    Raises ``PermissionError`` (an ``OSError``) when the directory cannot be written.
    """
    path = Path(directory)
    if not is_bare(path):
        return False
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    if not _publish(path, KEY_FILE, pem, 0o600):
        # A key is there already (someone's, or a concurrent first use): the connected app certifies that one.
        existing = serialization.load_pem_private_key((path / KEY_FILE).read_bytes(), password=None)
        if not isinstance(existing, rsa.RSAPrivateKey):
            raise ValueError(f"{path / KEY_FILE} is not an RSA private key")
        key = existing
    settings = default_settings(path, key)
    text = json.dumps(settings, indent=2) + "\n"
    return _publish(path, ORG_FILE, text.encode(), 0o644)

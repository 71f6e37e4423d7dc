"""The org's login material: users with passwords and tokens, a connected app, and its RSA key pair.

Everything derives from the seed, the key pair included: the same arguments must give byte-identical
files, and ``cryptography`` draws keys from the OS. The primes are found with a seeded Miller-Rabin
search and assembled into a key with ``cryptography``. These credentials unlock only the emulator and are
written next to the data in plain text: never reuse them for a real org.
"""

import string
from dataclasses import dataclass
from datetime import timedelta
from random import Random
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from sfemulator.generator.people import Person
from sfemulator.generator.timeline import Timeline

KEY_BITS = 2048
PUBLIC_EXPONENT = 65537
_SMALL_PRIMES = [n for n in range(3, 2000, 2) if all(n % d for d in range(3, int(n**0.5) + 1, 2))]
_TOKEN_ALPHABET = string.ascii_letters + string.digits


def _probable_prime(candidate: int, rng: Random, rounds: int = 8) -> bool:
    # 8 rounds on a random 1024-bit candidate: error far below 2**-100 (FIPS 186-5, appendix B.3).
    if any(candidate % prime == 0 for prime in _SMALL_PRIMES):
        return False
    odd, twos = candidate - 1, 0
    while odd % 2 == 0:
        odd //= 2
        twos += 1
    for _ in range(rounds):
        witness = pow(rng.randrange(2, candidate - 2), odd, candidate)
        if witness in (1, candidate - 1):
            continue
        for _ in range(twos - 1):
            witness = pow(witness, 2, candidate)
            if witness == candidate - 1:
                break
        else:
            return False
    return True


def _prime(rng: Random, bits: int) -> int:
    while True:
        # The top two bits set make the product exactly 2 * bits long.
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if (candidate - 1) % PUBLIC_EXPONENT and _probable_prime(candidate, rng):
            return candidate


def seeded_rsa_key(seed: str) -> rsa.RSAPrivateKey:
    rng = Random(f"{seed}:rsa")
    p = _prime(rng, KEY_BITS // 2)
    q = _prime(rng, KEY_BITS // 2)
    while q == p:
        q = _prime(rng, KEY_BITS // 2)
    d = pow(PUBLIC_EXPONENT, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p=p, q=q, d=d, dmp1=rsa.rsa_crt_dmp1(d, p), dmq1=rsa.rsa_crt_dmq1(d, q), iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(PUBLIC_EXPONENT, p * q),
    )  # fmt: skip
    return numbers.private_key()


def _certificate(key: rsa.RSAPrivateKey, company: str, timeline: Timeline, serial: int) -> x509.Certificate:
    """A self-signed certificate, as uploaded to a connected app for the JWT bearer flow."""
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"{company} coachapp JWT"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, company),
    ])  # fmt: skip
    issued = timeline.as_datetime() - timedelta(days=30)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(issued)
        .not_valid_after(issued + timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


@dataclass(frozen=True)
class OrgCredentials:
    settings: dict[str, Any]  # the content of org.json
    private_key_pem: bytes  # server.key


def _token(rng: Random, length: int, alphabet: str = _TOKEN_ALPHABET) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def org_credentials(seed: int, company: str, org_id: str, timeline: Timeline, logins: list[Person],
                    api_daily_limit: int) -> OrgCredentials:  # fmt: skip
    rng = Random(f"{seed}:credentials")
    key = seeded_rsa_key(f"{seed}:{company}")
    certificate = _certificate(key, company, timeline, serial=rng.getrandbits(120) | 1 << 120)
    users = [
        {"username": person.username, "password": _token(rng, 16), "security_token": _token(rng, 24)}
        for person in logins
    ]
    settings = {
        "org_id": org_id,
        "instance_url": f"https://{company}.my.salesforce.com",
        "api_daily_limit": api_daily_limit,
        "users": users,
        "connected_app": {
            "consumer_key": "3MVG9" + _token(rng, 80, _TOKEN_ALPHABET + "._"),
            "consumer_secret": _token(rng, 64, "0123456789ABCDEF"),
            "certificate": certificate.public_bytes(serialization.Encoding.PEM).decode(),
        },
        "session_ids": [f"{org_id[:15]}!AQ" + _token(rng, 94, _TOKEN_ALPHABET + "._")],
    }
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return OrgCredentials(settings=settings, private_key_pem=pem)

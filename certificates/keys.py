"""Encryption of the issuers' Ed25519 private keys at rest (issue "Certificates", point 1:
"private keys never stored in plain text in the database").

A private key is stored as a Fernet token (AES-128-CBC + HMAC-SHA256, `cryptography.fernet`) of
its 32-byte seed. The key-encryption key comes from the environment through the setting
`CERTIFICATES_KEY_ENCRYPTION_KEYS` (see `.env.example`): a list of Fernet keys, the first of which
encrypts and every one of which decrypts (`MultiFernet`), so the key-encryption key can be rotated
by putting a new one first and re-encrypting. The setting is read when a key is used, never at
import time; a missing or malformed one raises ImproperlyConfigured with what to do.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTING = "CERTIFICATES_KEY_ENCRYPTION_KEYS"


def _fernet() -> MultiFernet:
    keys = getattr(settings, SETTING, None) or []
    if isinstance(keys, str):
        keys = [key.strip() for key in keys.split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured(
            f"{SETTING} is not set: certificate signing keys are stored encrypted and need a Fernet key. "
            'Generate one with `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"` '
            "and set it in the environment (see .env.example)."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"{SETTING} must hold Fernet keys (32 bytes in URL-safe base64, 44 characters), comma-separated: {exc}"
        ) from exc


def private_key_encrypt(private_key: Ed25519PrivateKey) -> str:
    """The Fernet token (ASCII) of the key's raw 32-byte seed."""
    raw = private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return _fernet().encrypt(raw).decode("ascii")


def private_key_decrypt(token: str) -> Ed25519PrivateKey:
    """The private key of a token from `private_key_encrypt`. ImproperlyConfigured when no
    configured key-encryption key opens it (a wrong or lost key), rather than a bare crypto error."""
    try:
        raw = _fernet().decrypt(token.encode("ascii"))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            f"No key in {SETTING} decrypts this signing key: the key-encryption key changed without re-encrypting."
        ) from exc
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_key_reencrypt(token: str) -> str:
    """The token re-encrypted with the first (newest) key-encryption key, after a rotation."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise ImproperlyConfigured(f"No key in {SETTING} decrypts this signing key.") from exc

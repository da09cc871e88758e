"""Personal data on screen, in logs and in the audit trail: resident ID numbers masked.

A resident ID number (居民身份证号码) is 18 characters: 17 digits and a check
character (digit or X). Shown masked it keeps the first four and last four:
``1307**********1234``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# 18 characters not embedded in a longer run of letters or digits.
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])([0-9]{4})[0-9]{10}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_id_number(id_number: str) -> str:
    """``130702198001011234`` → ``1307**********1234``."""
    value = id_number.strip().upper()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000``: the first three and last four digits, as
    ID numbers are masked (a shorter number keeps only its last two)."""
    value = (phone or "").strip()
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 2) + value[-2:]
    return "*" * len(value)


def mask_card(last4: str | None) -> str:
    """A bank card as pages show it, ``****4567`` (the registry keeps only the last four
    in the clear); no card is ``—``."""
    return f"****{last4}" if last4 else "—"


def scrub(text: str) -> str:
    """Mask every ID-number-like sequence in free text (log lines, audit details)."""
    return _ID_LIKE.sub(lambda m: m.group(1) + "*" * 10 + m.group(2).upper(), text)


# --- Protection at rest -------------------------------------------------------------
# Each protected value is stored three ways: AES-256-GCM ciphertext (to reveal it to
# a role that may see it), an HMAC-SHA256 blind index (exact look-up and duplicate
# detection without decrypting), and the last four characters (search and display).
# Both keys are derived from the configured DATA_KEY with HKDF, one for each purpose.


_FORMAT = "v1"


class VaultError(ValueError):
    """A protected value could not be opened (wrong key or damaged data)."""


@dataclass(frozen=True)
class Protected:
    ciphertext: str
    index: str
    last4: str


class Vault:
    """Encrypts, indexes and reveals sensitive values with keys derived from one secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise VaultError("DATA_KEY is not configured")
        self._encryption_key = self._derive(secret, b"bangfutong/encryption/v1")
        self._index_key = self._derive(secret, b"bangfutong/blind-index/v1")

    @staticmethod
    def _derive(secret: str, purpose: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
            secret.encode("utf-8")
        )

    def index(self, value: str) -> str:
        return hmac.new(self._index_key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def protect(self, value: str) -> Protected:
        nonce = os.urandom(12)
        sealed = AESGCM(self._encryption_key).encrypt(nonce, value.encode("utf-8"), _FORMAT.encode())
        token = _FORMAT + ":" + base64.b64encode(nonce + sealed).decode("ascii")
        return Protected(ciphertext=token, index=self.index(value), last4=value[-4:])

    def reveal(self, token: str) -> str:
        version, _sep, body = token.partition(":")
        if version != _FORMAT:
            raise VaultError("unknown protection format")
        try:
            raw = base64.b64decode(body)
            plain = AESGCM(self._encryption_key).decrypt(raw[:12], raw[12:], _FORMAT.encode())
        except Exception as exc:  # InvalidTag, binascii errors
            raise VaultError("cannot open the protected value") from exc
        return plain.decode("utf-8")


@cache
def _vault_for(secret: str) -> Vault:
    return Vault(secret)


def vault() -> Vault:
    """The vault of the running app (keys from ``DATA_KEY``)."""
    from flask import current_app

    return _vault_for(current_app.config.get("DATA_KEY") or "")

"""Passwords: Argon2id hashing, the password policy (等保 2.0 level 2 rules, a strength
estimate, names and the last five passwords refused) and one-time passwords.

The rules: at least 8 characters from at least three of upper case, lower case, digits and
symbols; not a commonly used password; strong enough by zxcvbn's estimate (score 3 of 4:
about 10^8 guesses or more), which also finds keyboard walks, repeats, dates and words; not
containing the user's name, real name or the product's name; none of the user's last five.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from pypinyin import lazy_pinyin
from zxcvbn import zxcvbn

from app.models.users import User
from app.services.errors import InvalidInput

# Verified against when the user does not exist, so timing does not reveal names.
_DUMMY_PASSWORD = "not-a-real-password"  # noqa: S105 (hashed once, never accepted)
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt"


class WeakPassword(InvalidInput):
    """The new password does not meet the password policy."""


@dataclass(frozen=True)
class LoginPolicy:
    min_length: int = 8
    min_classes: int = 3
    max_age_days: int = 90  # 0: passwords never expire
    max_failures: int = 5
    lock_minutes: int = 10

    @classmethod
    def from_config(cls, config: Any) -> LoginPolicy:
        return cls(
            min_length=int(config.get("PASSWORD_MIN_LENGTH", cls.min_length)),
            max_age_days=int(config.get("PASSWORD_MAX_AGE_DAYS", cls.max_age_days)),
            max_failures=int(config.get("LOGIN_MAX_FAILURES", cls.max_failures)),
            lock_minutes=int(config.get("LOGIN_LOCK_MINUTES", cls.lock_minutes)),
        )


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


#: The product's own names: a password made of them is among the first an attacker tries.
PRODUCT_NAMES = ("bangfutong", "bft", "帮扶通")
#: zxcvbn's score (0–4) a password must reach: 3 is "safely unguessable" (about 10^8 guesses).
MIN_STRENGTH = 3
#: A new password may not repeat the current one or the four before it.
HISTORY = 5


def check_password_policy(
    password: str, username: str, policy: LoginPolicy, *, full_name: str = "", field: str = "new_password"
) -> None:
    """Raise :class:`WeakPassword` at ``field`` naming what the password lacks."""
    if len(password) < policy.min_length:
        raise WeakPassword(
            _("The password needs at least %(n)s characters.", n=policy.min_length), field=field
        )
    if len(password) > 256:
        raise WeakPassword(_("The password is too long."), field=field)
    classes = sum(
        [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if classes < policy.min_classes:
        raise WeakPassword(
            _(
                "The password needs characters of at least %(n)s kinds: upper case, lower case,"
                " digits, symbols.",
                n=policy.min_classes,
            ),
            field=field,
        )
    lowered = password.lower()
    names = [n.lower() for n in (username, full_name, *_pinyin(full_name), *PRODUCT_NAMES) if len(n) >= 2]
    if any(name in lowered for name in names):
        raise WeakPassword(
            _("The password may not contain your user name, your name or the product's name."), field=field
        )
    if lowered in common_passwords():
        raise WeakPassword(_("This password is too common; choose another."), field=field)
    estimate = zxcvbn(password[:100], user_inputs=names)
    if estimate["score"] < MIN_STRENGTH:
        raise WeakPassword(
            _(
                "This password is easy to guess (a keyboard row, a repeat, a date or a common word"
                " with a few changes). Use a longer one: several unrelated words, digits and symbols."
            ),
            field=field,
        )


def _pinyin(name: str) -> list[str]:
    """A Chinese name as the letters people type for it: 王小明 → wangxiaoming, wxm."""
    if not name:
        return []
    syllables = lazy_pinyin(name)
    return ["".join(syllables), "".join(s[:1] for s in syllables)]


def reuses_recent(user: User, password: str, earlier_hashes: list[str]) -> bool:
    """True when ``password`` is the user's current one or one of ``earlier_hashes``."""
    hasher, _dummy = _hasher()
    for stored in [user.password_hash, *earlier_hashes][:HISTORY]:
        try:
            if hasher.verify(stored, password):
                return True
        except (VerificationError, InvalidHashError):
            continue
    return False


@cache
def _hasher_for(time_cost: int, memory_kib: int) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    return hasher, hasher.hash(_DUMMY_PASSWORD)


def _hasher() -> tuple[PasswordHasher, str]:
    """Argon2id, memory-hard. Production defaults follow RFC 9106's second
    recommendation (t=3, 64 MiB); the test configuration lowers them for speed."""
    config = current_app.config
    return _hasher_for(int(config.get("ARGON2_TIME_COST", 3)), int(config.get("ARGON2_MEMORY_KIB", 65536)))


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """True when ``password`` is the user's; constant work whether or not the user exists."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(user.password_hash if user else dummy, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """A random password meeting the policy: upper, lower, digit and symbol."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(12))
    return (
        secrets.choice(string.ascii_uppercase)
        + core
        + secrets.choice(string.digits)
        + secrets.choice("!#%+-=?@")
        + secrets.choice(string.ascii_lowercase)
    )

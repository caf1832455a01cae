"""Password rules (pure) and hashing.

Two profiles, chosen by ``LOOKTHROUGH_PASSWORD_PROFILE``:

* ``dengbao`` (default for government deployments): 等保 2.0 身份鉴别 a asks for complexity and
  periodic change — at least 8 characters from at least three of upper case, lower case, digits
  and symbols, changed every ``password_max_age_days``.
* ``asvs``: OWASP ASVS 5.0 L2 forbids composition rules and forced rotation — at least 12
  characters, nothing else but the common-password and username checks.

The two standards disagree; the deviation is documented in docs/security.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = {"dengbao": 8, "asvs": 12}
MAX_LENGTH = 128  # long passphrases are welcome; bounded so hashing stays cheap

# The most common passwords in leaked Chinese and international lists (a short excerpt that
# catches what people actually type; the length and class rules catch the rest).
COMMON_PASSWORDS = frozenset(
    {
        "123456",
        "12345678",
        "123456789",
        "1234567890",
        "123123",
        "111111",
        "000000",
        "666666",
        "888888",
        "5201314",
        "1314520",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "qwerty",
        "qwerty123",
        "qwe123",
        "qweasd",
        "qwe123!@#",
        "abc123",
        "abc12345",
        "abcd1234",
        "a123456",
        "a12345678",
        "aa123456",
        "admin",
        "admin123",
        "admin@123",
        "admin888",
        "root",
        "root123",
        "welcome",
        "welcome1",
        "iloveyou",
        "woaini",
        "woaini1314",
        "zxcvbnm",
        "1qaz2wsx",
        "1qaz@wsx",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "!qaz2wsx",
        "test123",
        "test@123",
        "letmein",
        "changeme",
        "sunshine",
        "Aa123456",
        "Aa123456!",
        "Abc@123",
        "Abc@1234",
        "Abc123456",
        "Admin@123",
        "Admin123!",
        "P@ssw0rd",
        "P@ssword1",
        "Password1",
        "Password1!",
        "Password@123",
        "Qwer1234",
        "Qwer@1234",
        "Huawei@123",
        "Sys@1234",
        "Test@1234",
        "Welcome1!",
        "Zxcv1234",
    }
)
_COMMON_LOWER = frozenset(p.lower() for p in COMMON_PASSWORDS)


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def password_problems(password: str, *, profile: str, username: str = "") -> list[str]:
    """密码安全检查：返回不满足的要求（为空即通过）。"""
    problems: list[str] = []
    minimum = MIN_LENGTH[profile]
    if len(password) < minimum:
        problems.append(f"密码长度至少 {minimum} 位")
    if len(password) > MAX_LENGTH:
        problems.append(f"密码长度不能超过 {MAX_LENGTH} 位")
    if profile == "dengbao" and _classes(password) < 3:
        problems.append("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类")
    if password.lower() in _COMMON_LOWER:
        problems.append("密码过于常见，容易被猜中")
    if username and len(username) >= 3 and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    return problems


def password_expired(
    changed_at: datetime, now: datetime, *, profile: str, max_age_days: int
) -> bool:
    """等保 requires periodic change; ASVS forbids forcing it."""
    if profile != "dengbao" or max_age_days <= 0:
        return False
    return now - changed_at > timedelta(days=max_age_days)


_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("lookthrough-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check; an unknown user is checked against a dummy hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False

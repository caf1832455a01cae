"""Password rules under both profiles (table tests, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lookthrough.accounts.passwords import (
    hash_password,
    password_expired,
    password_problems,
    verify_password,
)


@pytest.mark.parametrize(
    ("password", "profile", "ok"),
    [
        ("Abcdef1!", "dengbao", True),  # 8 chars, four classes
        ("abcdef12", "dengbao", False),  # two classes
        ("abcdEF12", "dengbao", True),  # three classes
        ("Ab1!", "dengbao", False),  # too short
        ("P@ssw0rd", "dengbao", False),  # common
        ("correct horse battery staple", "asvs", True),  # long passphrase, no classes needed
        ("Abcdef1!", "asvs", False),  # shorter than 12
        ("x" * 64, "asvs", True),  # 64 accepted
        ("x" * 129, "asvs", False),  # over the maximum
        ("Qwer@1234", "dengbao", False),  # on the common list despite four classes
    ],
)
def test_password_rules(password: str, profile: str, ok: bool) -> None:
    assert (password_problems(password, profile=profile) == []) is ok


def test_password_may_not_contain_username() -> None:
    problems = password_problems("Zhangwei#2026", profile="dengbao", username="zhangwei")
    assert problems == ["密码不能包含用户名"]


def test_messages_are_chinese_and_specific() -> None:
    assert password_problems("abc", profile="dengbao") == [
        "密码长度至少 8 位",
        "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类",
    ]


def test_hash_is_argon2id_and_verifies_exactly() -> None:
    stored = hash_password("Long-Pass-2026!" * 4)
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "Long-Pass-2026!" * 4)
    assert not verify_password(stored, "Long-Pass-2026!" * 4 + "x")  # no truncation
    assert not verify_password(None, "anything")


@pytest.mark.parametrize(
    ("age_days", "profile", "max_age", "expired"),
    [
        (91, "dengbao", 90, True),
        (89, "dengbao", 90, False),
        (400, "asvs", 90, False),
        (400, "dengbao", 0, False),
    ],
)
def test_periodic_change(age_days: int, profile: str, max_age: int, expired: bool) -> None:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    assert (
        password_expired(now - timedelta(days=age_days), now, profile=profile, max_age_days=max_age)
        is expired
    )

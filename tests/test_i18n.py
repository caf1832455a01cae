"""The English catalog covers every text a page shows, and the language switch works."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from lookthrough.web import messages
from lookthrough.web.i18n import catalog, gettext

FIX = "run `.venv/bin/python scripts/extract_messages.py` and translate the empty msgstrs"
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def extracted() -> messages.Messages:
    return messages.extract_messages()


def test_extraction_finds_templates_code_and_label_tables(extracted: messages.Messages) -> None:
    assert "web/templates/login.html" in extracted["用户名"]  # _("…") in a template
    assert "web/templates/dashboard.html" in extracted["乡镇（街道）"]  # inside an expression
    assert "web/templating.py" in extracted["行政区划与网格"]  # N_("…") in Python
    assert "core/roles.py" in extracted["省局分析人员"]  # a label table
    assert "audit/events/accounts.py" in extracted["登录失败"]


def test_every_text_has_an_english_translation(extracted: messages.Messages) -> None:
    missing = messages.untranslated(extracted, messages.read_catalog())
    assert not missing, f"{len(missing)} text(s) without English ({FIX}):\n" + "\n".join(missing)


def test_catalog_has_no_texts_that_pages_no_longer_use(extracted: messages.Messages) -> None:
    stale = messages.obsolete(extracted, messages.read_catalog())
    assert not stale, f"unused entries in messages.po ({FIX}):\n" + "\n".join(stale)


def test_no_translation_is_left_in_chinese() -> None:
    # Place names in examples are romanised too, so any Han character is a leftover.
    leftovers = {
        k: v for k, v in messages.translations(messages.read_catalog()).items() if HAN.search(v)
    }
    assert not leftovers


def test_the_catalog_the_app_reads_is_the_one_the_script_writes() -> None:
    assert catalog("en") == messages.translations(messages.read_catalog())
    assert gettext("en", "首页") == "Home"
    assert gettext("zh_CN", "首页") == "首页"


def test_login_page_is_chinese_by_default(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "用户名" in page.text
    assert "Username" not in page.text
    assert "lt_lang" not in page.cookies


def test_lang_en_renders_english_and_remembers_the_choice(client: TestClient) -> None:
    page = client.get("/login?lang=en")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text
    assert "Username" in page.text
    assert "用户名" not in page.text
    assert page.cookies.get("lt_lang") == "en"
    again = client.get("/login")  # the cookie alone keeps English
    assert "Username" in again.text


def test_lang_zh_cn_switches_back(client: TestClient) -> None:
    client.get("/login?lang=en")
    page = client.get("/login?lang=zh_CN")
    assert "用户名" in page.text
    assert page.cookies.get("lt_lang") == "zh_CN"


def test_unknown_language_falls_back_to_chinese_without_a_cookie(client: TestClient) -> None:
    page = client.get("/login?lang=fr")
    assert "用户名" in page.text
    assert "lt_lang" not in page.cookies

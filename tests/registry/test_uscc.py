"""统一社会信用代码 (GB 32100-2015): table tests for the rules, and `lookthrough uscc check`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lookthrough.regions.divisions import load_divisions
from lookthrough.registry import uscc
from lookthrough.registry.uscc import Verdict

LOOKTHROUGH = str(Path(sys.executable).with_name("lookthrough"))
KNOWN_REGIONS = frozenset(d.code for d in load_divisions())


def check(code: str) -> uscc.UsccCheck:
    return uscc.check(code, region_exists=KNOWN_REGIONS.__contains__)


def with_wrong_org_check(code: str) -> str:
    """The same code with another 17th character and a recomputed (correct) 18th."""
    other = "0" if code[16] != "0" else "1"
    first17 = code[:16] + other
    return first17 + uscc.check_character(first17)


def with_wrong_last_character(code: str) -> str:
    other = "0" if code[17] != "0" else "1"
    return code[:17] + other


SHULAN_FIRM = uscc.make("91", "340104", "MA2N1234")  # 蜀山区 enterprise

VALID = {
    "real: 北京 enterprise": "91110000802100433B",
    "real: 上海 enterprise": "91310000631696382C",
    "made: 蜀山区 enterprise": SHULAN_FIRM,
    "made: 合肥市-level registration": uscc.make("91", "340100", "MA2N5678"),
    "made: 安徽省-level registration": uscc.make("91", "340000", "MA2N0001"),
    "made: individual business (92)": uscc.make("92", "340104", "L1234567"),
    "made: farmers' cooperative (93)": uscc.make("93", "341102", "MA2N9999"),
    "made: public institution (12)": uscc.make("12", "340100", "48500123"),
    "made: social organisation (51)": uscc.make("51", "340000", "50001234"),
    "made: rural collective (N2)": uscc.make("N2", "341502", "MA2N1111"),
    "foreign province: 广东 深圳": uscc.make("91", "440300", "MA5F1234"),
    "foreign province: 台湾": uscc.make("91", "710000", "MA5F1234"),
    "foreign province: 香港": uscc.make("91", "810000", "MA5F1234"),
}


@pytest.mark.parametrize("code", list(VALID.values()), ids=list(VALID))
def test_valid_codes(code: str) -> None:
    result = check(code)
    assert result.verdict is Verdict.VALID, result.reason
    assert result.valid


def test_make_builds_both_check_characters() -> None:
    code = uscc.make("91", "340104", "MA2N1234")
    assert len(code) == 18
    assert code[16] == uscc.org_check_character("MA2N1234")
    assert code[17] == uscc.check_character(code[:17])


def test_valid_code_names_its_authority_type_and_region() -> None:
    result = check(SHULAN_FIRM)
    assert (result.authority, result.entity_type, result.region) == (
        "工商（市场监管）",
        "企业",
        "340104",
    )


INVALID = {
    "wrong 18th character (real code)": (
        with_wrong_last_character("91110000802100433B"),
        "第 18 位校验码",
    ),
    "wrong 18th character (made code)": (
        with_wrong_last_character(SHULAN_FIRM),
        "第 18 位校验码",
    ),
    "17 characters": (SHULAN_FIRM[:17], "长度应为 18 位，实际为 17 位"),
    "19 characters": (SHULAN_FIRM + "0", "长度应为 18 位，实际为 19 位"),
    "empty": ("", "长度应为 18 位，实际为 0 位"),
    "letter I": ("91340104MA2NI23447", "不允许的字符"),
    "letter O": ("91340104MA2NO23447", "不允许的字符"),
    "letter S": ("91340104MA2NS23447", "不允许的字符"),
    "letter V": ("91340104MA2NV23447", "不允许的字符"),
    "letter Z": ("91340104MA2NZ23447", "不允许的字符"),
    "punctuation": ("91340104MA2N-23447", "不允许的字符"),
    "unknown authority B": ("B1340104MA2N123447", "第 1 位登记管理部门代码“B”不存在"),
    "type 4 not registered by 工商": ("94340104MA2N123447", "第 2 位机构类别代码“4”"),
    "type 9 not registered by 工商": ("99340104MA2N123447", "第 2 位机构类别代码“9”"),
    "non-numeric region": (uscc.make("91", "3401AB", "MA2N1234"), "应为 6 位数字"),
    "unknown province 99": (uscc.make("91", "990000", "MA2N1234"), "省级代码“99”不存在"),
}


@pytest.mark.parametrize(("code", "reason"), list(INVALID.values()), ids=list(INVALID))
def test_invalid_codes(code: str, reason: str) -> None:
    result = check(code)
    assert result.verdict is Verdict.INVALID
    assert reason in result.reason


def test_bad_characters_are_named_by_position() -> None:
    assert "第 13 位“I”" in check("91340104MA2NI23447").reason


def test_wrong_18th_character_says_which_was_expected() -> None:
    wrong = with_wrong_last_character(SHULAN_FIRM)
    assert check(wrong).reason == f"第 18 位校验码应为“{SHULAN_FIRM[17]}”，实际为“{wrong[17]}”"


REVIEW = {
    "inner organisation check wrong (made code)": (
        with_wrong_org_check(SHULAN_FIRM),
        "组织机构代码校验位（第 17 位）",
    ),
    "inner organisation check wrong (real code)": (
        with_wrong_org_check("91310000631696382C"),
        "组织机构代码校验位（第 17 位）",
    ),
    "Anhui county not in the table": (
        uscc.make("91", "340199", "MA2N1234"),
        "不在现行区划表中",
    ),
}


@pytest.mark.parametrize(("code", "reason"), list(REVIEW.values()), ids=list(REVIEW))
def test_codes_for_manual_review(code: str, reason: str) -> None:
    result = check(code)
    assert result.verdict is Verdict.REVIEW
    assert not result.valid
    assert reason in result.reason
    assert "人工核实" in result.reason


def test_wrong_18th_character_wins_over_wrong_inner_check() -> None:
    both_wrong = with_wrong_last_character(with_wrong_org_check(SHULAN_FIRM))
    assert check(both_wrong).verdict is Verdict.INVALID


def test_unknown_region_of_another_province_is_not_reviewed() -> None:
    # Only Anhui's own table is shipped; another province is checked by its province code.
    assert check(uscc.make("91", "440399", "MA2N1234")).verdict is Verdict.VALID


def test_without_a_region_table_unknown_anhui_region_is_valid() -> None:
    assert uscc.check(uscc.make("91", "340199", "MA2N1234")).verdict is Verdict.VALID


NORMALISED = {
    "full-width digits and letters": "９１１１００００８０２１００４３３Ｂ",
    "full-width lower case": "９１１１００００８０２１００４３３ｂ",
    "lower case": "91110000802100433b",
    "spaces inside and around": " 9111 0000 8021 0043 3B ",
    "ideographic spaces": "\u300091110000802100433B\u3000",
}


@pytest.mark.parametrize("raw", list(NORMALISED.values()), ids=list(NORMALISED))
def test_input_is_normalised(raw: str) -> None:
    result = check(raw)
    assert result.code == "91110000802100433B"
    assert result.verdict is Verdict.VALID


# -- the command line ------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LOOKTHROUGH, "uscc", "check", *args],
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_cli_exits_0_when_every_code_is_valid() -> None:
    done = run_cli("91110000802100433B", "91310000631696382C")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "91110000802100433B\t有效\t校验通过",
        "91310000631696382C\t有效\t校验通过",
    ]


def test_cli_exits_1_when_one_code_is_invalid() -> None:
    done = run_cli("91110000802100433B", with_wrong_last_character("91310000631696382C"))
    assert done.returncode == 1
    assert "无效\t第 18 位校验码" in done.stdout.splitlines()[1]


def test_cli_exits_1_when_one_code_needs_review() -> None:
    done = run_cli(with_wrong_org_check(SHULAN_FIRM))
    assert done.returncode == 1
    assert "\t待核实\t" in done.stdout


def test_cli_without_codes_is_a_usage_error() -> None:
    assert run_cli().returncode == 2


def test_cli_json_is_a_list_of_code_valid_reason() -> None:
    codes = ["91110000802100433B", with_wrong_org_check(SHULAN_FIRM), "91340104MA2NI23447"]
    done = run_cli(*codes, "--json")
    assert done.returncode == 1
    results = json.loads(done.stdout)
    assert [(r["code"], r["valid"], r["verdict"]) for r in results] == [
        (codes[0], True, "valid"),
        (codes[1], False, "review"),
        (codes[2], False, "invalid"),
    ]
    for result in results:
        assert {"code", "valid", "reason"} <= result.keys()
        assert isinstance(result["valid"], bool)
        assert isinstance(result["reason"], str) and result["reason"]


def test_cli_json_prints_the_normalised_code() -> None:
    done = run_cli("９１１１００００８０２１００４３３ｂ", "--json")
    assert json.loads(done.stdout)[0]["code"] == "91110000802100433B"
    assert done.returncode == 0

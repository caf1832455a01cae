import pytest

from lookthrough.core.excel import safe_cell
from lookthrough.core.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812348000", "138****8000"),
        ("+8613812348000", "138****8000"),
        ("138-1234-8000", "138****8000"),
        ("0551-62345678", "0551******78"),
        ("", ""),
        (None, None),
    ],
)
def test_phone(raw: str | None, masked: str | None) -> None:
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("340104199001011234", "340104********1234"),
        ("张三", "张*"),
    ],
)
def test_id_and_name(raw: str, masked: str) -> None:
    assert (mask_id_number if raw[0].isdigit() else mask_name)(raw) == masked


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_stay_text(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_plain_cells_unchanged() -> None:
    assert safe_cell("合肥市") == "合肥市"
    assert safe_cell(12) == 12

"""Small helpers for building text columns eagerly with polars."""

from __future__ import annotations

import polars as pl


def cat(*parts: pl.Series | pl.Expr | str) -> pl.Series:
    """Concatenate text columns and literals row by row into a new column."""
    exprs = [pl.lit(p) if isinstance(p, str) else p for p in parts]
    return pl.select(pl.concat_str(exprs)).to_series()

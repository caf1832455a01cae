"""`lookthrough uscc check`: validate unified social credit codes."""

from __future__ import annotations

import json

import typer

from lookthrough.regions.divisions import load_divisions
from lookthrough.registry import uscc

app = typer.Typer(help="统一社会信用代码 Unified social credit codes.", no_args_is_help=True)


@app.command("check")
def check(
    codes: list[str] = typer.Argument(..., help="One or more codes."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """校验统一社会信用代码 Check codes: both check characters, authority, type and region."""
    known = {d.code for d in load_divisions()}
    results = [uscc.check(code, region_exists=known.__contains__) for code in codes]
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "valid": r.valid,
                        "verdict": r.verdict.value,
                        "reason": r.reason,
                        "authority": r.authority,
                        "entity_type": r.entity_type,
                        "region": r.region,
                    }
                    for r in results
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for r in results:
            mark = {"valid": "有效", "invalid": "无效", "review": "待核实"}[r.verdict.value]
            typer.echo(f"{r.code}\t{mark}\t{r.reason}")
    if not all(r.valid for r in results):
        raise typer.Exit(1)

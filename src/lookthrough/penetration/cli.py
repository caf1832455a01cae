"""`lookthrough penetration …`: score penetration against a synthetic province's truth."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from lookthrough.cli_common import open_session, settings_for_cli
from lookthrough.penetration import evaluate as evaluation

app = typer.Typer(
    help="穿透分析 Penetration: common factors behind problems.", no_args_is_help=True
)
console = Console(stderr=True)


@app.command("evaluate")
def evaluate_command(
    truth: Path = typer.Option(
        ...,
        "--truth",
        exists=True,
        file_okay=False,
        help="A synthetic province folder (with truth/causes.json), already imported.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """评估穿透分析 Score penetration on the planted common causes: top-3 recovery and the
    false discovery rate."""
    settings = settings_for_cli()
    with (
        open_session(settings) as session,
        Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console, transient=True,
        ) as bar,
    ):  # fmt: skip
        task = bar.add_task("穿透分析…", total=None)
        result = evaluation.evaluate(
            session,
            folder=truth,
            progress=lambda problem: bar.update(task, description=f"穿透分析：{problem}"),
        )
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table(
        "问题 problem", "原因 cause", "排名 rank", "q", "找到 found", title="预置共性原因"
    )
    for row in result["details"]:
        if "cause_id" in row:
            q = row["q_value"]
            table.add_row(
                row["problem"], f"{row['cause_id']} {row['factor']}", str(row["rank"] or "—"),
                "—" if q is None else f"{q:.2g}", "是" if row["recovered"] else "否",
            )  # fmt: skip
    Console().print(table)
    typer.echo(
        f"前三召回率 top3_recovery = {result['top3_recovery']:.2%}"
        f"（{result['recovered']}/{result['causes']}）；"
        f"错误发现率 false_discovery_rate = {result['false_discovery_rate']:.2%}"
        f"（{result['false_discoveries']}/{result['significant']}）"
    )

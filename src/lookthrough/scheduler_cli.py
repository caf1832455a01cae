"""`lookthrough scheduler [--once] [--json] [--job NAME]`: the one scheduler process."""

from __future__ import annotations

import json
import logging

import typer

from lookthrough import scheduler
from lookthrough.cli_common import settings_for_cli


def run_command(*, names: list[str], once: bool, as_json: bool) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = settings_for_cli()
    if not once:
        scheduler.serve(settings, names=names)
        return
    outcomes = scheduler.run_once(settings, names=names)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "jobs": [
                        {"name": o.name, "label": o.label, "status": o.status,
                         "summary": o.summary, "seconds": o.seconds, **o.data}
                        for o in outcomes
                    ],
                    "failed": sum(o.status == "failed" for o in outcomes),
                },
                ensure_ascii=False,
            )
        )  # fmt: skip
    else:
        for outcome in outcomes:
            typer.echo(outcome.line)
        ok = sum(o.status == "ok" for o in outcomes)
        typer.echo(
            f"定时任务 {len(outcomes)} 项：完成 {ok} 项，未执行或失败 {len(outcomes) - ok} 项"
        )
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


def scheduler_command(
    once: bool = typer.Option(False, "--once", help="Run every job once now and exit."),
    as_json: bool = typer.Option(False, "--json", help="With --once: print the runs as JSON."),
    job: list[str] = typer.Option(
        [], "--job", help="Only this job, or a domain's jobs (risk, disposal); repeatable."
    ),
) -> None:
    """定时任务 Run the scheduler: every domain's jobs on their triggers (risk re-scores and
    credit classes, escalation of overdue measures, overdue incident steps). `--once` runs
    each job once, in its own transaction, prints a line per job and exits (1 if one failed)."""
    run_command(names=job, once=once, as_json=as_json)

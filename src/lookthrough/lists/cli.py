"""`lookthrough lists …`: the rectification list from the command line, for jobs and cron."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from lookthrough.cli_common import open_session, settings_for_cli
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.lists import overdue, rules, tasks

app = typer.Typer(help="四个清单 The four lists.", no_args_is_help=True)


def _system_actor(region: str) -> Actor:
    if not (region.isdigit() and 2 <= len(region) <= 12):
        raise typer.BadParameter("区划代码应为 2–12 位数字", param_hint="--region")
    return Actor(user_id=None, username="system:lists", role=Role.PROVINCE_ANALYST,
                 jurisdiction=region, region=region)  # fmt: skip


@app.command("overdue")
def overdue_command(
    region: str = typer.Option("34", "--region", help="区划代码: this region and below."),
    as_json: bool = typer.Option(False, "--json", help="Print the tasks as JSON."),
) -> None:
    """超期整改任务 Rectification tasks past their deadline with a business not yet verified
    (``raise-overdue-alerts`` turns each into an early warning)."""
    actor = _system_actor(region)
    today = clock.today()
    with open_session(settings_for_cli()) as session:
        views, total = tasks.search(session, actor=actor, today=today, overdue=True, limit=10_000)
        rows = [
            {"task_id": v.task.id, "title": v.task.title, "problem_id": v.task.problem_id,
             "region_code": v.task.region_code, "deadline": v.task.deadline.isoformat(),
             "responsible": v.task.responsible, "overdue_targets": v.overdue,
             "days_overdue": max(t.days_overdue for t in v.targets if t.overdue),
             "state": v.task.state}
            for v in views
        ]  # fmt: skip
    if as_json:
        typer.echo(json.dumps({"today": today.isoformat(), "total": total, "tasks": rows},
                              ensure_ascii=False, indent=2))  # fmt: skip
        return
    table = Table(
        "编号", "整改任务", "整改时限", "超期天数", "超期对象", "状态", title="超期整改任务"
    )
    for row in rows:
        table.add_row(str(row["task_id"]), str(row["title"]), str(row["deadline"]),
                      str(row["days_overdue"]), str(row["overdue_targets"]),
                      rules.STATE_LABELS[str(row["state"])])  # fmt: skip
    Console().print(table)
    typer.echo(f"共 {total} 项超期整改任务")


@app.command("raise-overdue-alerts")
def raise_overdue_command(
    region: str = typer.Option("34", "--region", help="区划代码: this region and below."),
    as_json: bool = typer.Option(False, "--json", help="Print the count as JSON."),
) -> None:
    """整改超期预警 Raise one early warning per overdue rectification task not warned of yet,
    routed to the task's region (running it again raises nothing new for the same task)."""
    actor = _system_actor(region)
    now = clock.utcnow()
    with open_session(settings_for_cli()) as session:
        raised = overdue.raise_overdue_alerts(session, actor=actor, now=now)
    if as_json:
        typer.echo(json.dumps({"region": region, "raised": raised}, ensure_ascii=False))
        return
    typer.echo(f"新增 {raised} 条整改超期预警")

"""`lookthrough disposal escalate`: the escalation job, for any moment given."""

from __future__ import annotations

import json
from datetime import datetime

import typer

from lookthrough.cli_common import open_session, settings_for_cli
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import ValidationFailed
from lookthrough.core.roles import Role
from lookthrough.disposal import service

app = typer.Typer(help="分级处置 Graded disposal.", no_args_is_help=True)
ACTOR = Actor(
    user_id=None, username="system:cli disposal", role=Role.PROVINCE_ANALYST,
    jurisdiction="34", region="34",
)  # fmt: skip


@app.command("escalate")
def escalate_command(
    now: str | None = typer.Option(
        None, "--now", help="ISO time to judge deadlines by (default: now)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the escalations as JSON."),
) -> None:
    """升级逾期措施 Escalate every measure past its deadline: the next measure of the ladder,
    and the jurisdiction above when configured."""
    try:
        moment = datetime.fromisoformat(now).astimezone() if now else clock.utcnow()
    except ValueError as error:
        raise ValidationFailed(
            f"--now 须为 ISO 时间，例如 2026-12-01T09:00:00+08:00：{now}"
        ) from error
    settings = settings_for_cli()
    with open_session(settings) as session:
        done = service.escalate_overdue(session, actor=ACTOR, settings=settings, now=moment)
        rows = [
            {"from": e.old.id, "to": e.new.id, "kind": e.new.kind, "region_code": e.new.region_code,
             "reason": e.reason}
            for e in done
        ]  # fmt: skip
    if as_json:
        typer.echo(json.dumps({"escalated": len(rows), "items": rows}, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"措施 {row['from']} → {row['to']}：{row['reason']}")
    typer.echo(f"共升级 {len(rows)} 项逾期措施")

"""`lookthrough inspection …`: draw a plan from a file, and verify a published draw."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import ValidationError as PydanticValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.cli_common import open_session, settings_for_cli
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import ValidationFailed
from lookthrough.core.roles import Role
from lookthrough.inspection import commit_reveal, publication, risk_inputs, service, tasks
from lookthrough.inspection.models import InspectionPlan
from lookthrough.inspection.schemas import ManualIn, PlanFile, parse_plan

app = typer.Typer(
    help="双随机抽查 Random inspections: plans, draws, verification.", no_args_is_help=True
)
console = Console(stderr=True)
ACTOR = Actor(
    user_id=None,
    username="system:cli inspection",
    role=Role.PROVINCE_ANALYST,
    jurisdiction="34",
    region="34",
)


def read_plan(path: Path) -> tuple[PlanFile, dict[str, list[str | None]] | None, str]:
    """The plan file and, when it names one, its credit-class table (relative to the file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationFailed(f"无法读取计划文件 {path}：{error}") from error
    plan = parse_plan(text, name=f"计划文件 {path.name} ")
    if not plan.credit_classes:
        return plan, None, risk_inputs.FROM_RISK_LATER
    table_path = (path.parent / plan.credit_classes).resolve()
    return plan, risk_inputs.read_table(table_path), f"信用分类表 {table_path.name}"


def _plan_of(
    session: Session,
    settings: Settings,
    plan_in: PlanFile,
    classes: dict[str, list[str | None]] | None,
    source: str,
    now: datetime,
) -> InspectionPlan:
    """The plan of that code, created from the file the first time."""
    plan = session.scalar(select(InspectionPlan).where(InspectionPlan.code == plan_in.code))
    if plan is None:
        plan = service.create_plan(
            session, actor=ACTOR, settings=settings, plan=plan_in, classes=classes,
            classes_source=source, now=now,
        )  # fmt: skip
    return plan


def _output(plan: InspectionPlan) -> dict[str, Any]:
    doc = commit_reveal.published_file(plan)
    doc["classes_missing"] = plan.classes_missing
    doc["status"] = plan.status
    return doc


@app.command("commit")
def commit_command(
    plan_file: Path = typer.Option(..., "--plan", exists=True, help="The plan (YAML or JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print the published file as JSON."),
) -> None:
    """公布候选名单哈希与种子承诺 Create the plan and publish the candidate hash and the seed
    commitment, without drawing yet."""
    settings = settings_for_cli()
    plan_in, classes, source = read_plan(plan_file)
    now = clock.utcnow()
    with open_session(settings) as session:
        plan = _plan_of(session, settings, plan_in, classes, source, now)
        plan = commit_reveal.commit(session, actor=ACTOR, plan_id=plan.id, now=now)
        out = _output(plan)
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    console.print(f"计划 {plan_in.code}：候选 {out['strata']} 户")
    console.print(f"候选名单哈希 candidates_hash = {out['candidates_hash']}")
    console.print(f"种子承诺 commitment = {out['commitment']}")


@app.command("draw")
def draw_command(
    plan_file: Path = typer.Option(..., "--plan", exists=True, help="The plan (YAML or JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print the published file as JSON."),
) -> None:
    """抽取 Draw a plan: publish the candidate hash and seed commitment (unless `commit` did),
    then reveal the seed, draw the businesses and assign inspectors."""
    settings = settings_for_cli()
    plan_in, classes, source = read_plan(plan_file)
    now = clock.utcnow()
    with open_session(settings) as session:
        plan = _plan_of(session, settings, plan_in, classes, source, now)
        if plan.status == "draft":
            # The commitment is written (and audited) before the seed is used.
            commit_reveal.commit(session, actor=ACTOR, plan_id=plan.id, now=now)
            session.commit()
        plan = commit_reveal.reveal_and_draw(
            session, actor=ACTOR, settings=settings, plan_id=plan.id, now=clock.utcnow()
        )
        out = _output(plan)
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    if out["classes_missing"]:
        console.print(f"[yellow]{plan.classes_source}[/yellow]")
    table = Table("项目", "值", title=f"抽查计划 {plan_in.code}")
    for key in ("candidates_hash", "commitment", "seed"):
        table.add_row(key, str(out[key]))
    for key, value in out["summary"].items():
        table.add_row(key, str(value))
    console.print(table)


@app.command("verify-draw")
def verify_command(
    file: Path = typer.Argument(..., exists=True, help="A published draw (JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
) -> None:
    """复核抽取结果 Re-run a published draw from its file alone; exit 1 unless it matches."""
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
        checks = publication.verify(doc)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValidationFailed(f"无法读取抽取结果文件 {file.name}：{error}") from error
    except ValueError as error:
        raise ValidationFailed(str(error)) from error
    ok = all(c.ok for c in checks)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "match": ok,
                    "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
                },
                ensure_ascii=False,
            )
        )
    else:
        for check in checks:
            console.print(f"{'✓' if check.ok else '✗'} {check.name}: {check.detail}")
        typer.echo("一致：抽取结果可由公布的输入完全复现" if ok else "不一致：抽取结果无法复现")
    if not ok:
        raise typer.Exit(1)


@app.command("manual")
def manual_command(
    file: Path = typer.Argument(..., exists=True, help="A screening manual (YAML or JSON)."),
    region: str = typer.Option("34", "--region", help="Region the manual is issued by."),
) -> None:
    """载入排查指导手册 Load a screening manual for a matter: items with content, key points,
    method, cautions and typical cases (the newest manual of a matter is used on site)."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        manual = ManualIn.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, PydanticValidationError) as error:
        raise ValidationFailed(f"排查指导手册 {file.name} 有误：{error}") from error
    settings = settings_for_cli()
    with open_session(settings) as session:
        made = tasks.save_manual(
            session, actor=ACTOR.with_region(region), manual=manual, now=clock.utcnow()
        )
        typer.echo(f"已载入排查指导手册“{made.title}”（{made.matter}，{len(manual.items)} 条）")

"""`lookthrough resolve`: link names to businesses — a spreadsheet, the database, a truth folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select
from typer.core import TyperGroup

from lookthrough.accounts.models import User
from lookthrough.cli_common import cli_actor, open_session, settings_for_cli
from lookthrough.core.actor import Actor
from lookthrough.core.db import engine_for, session_factory
from lookthrough.core.errors import FileRejected, NotFound, ValidationFailed
from lookthrough.core.roles import Role
from lookthrough.ingest.readers import read_rows
from lookthrough.registry.models import Entity
from lookthrough.resolution import review, run, service
from lookthrough.resolution.engine import engine_named, with_entity_names, with_mention_names
from lookthrough.resolution.evaluate import evaluate, evaluate_database
from lookthrough.resolution.rules import status_for

console = Console(stderr=True)


class _FileOrCommand(TyperGroup):
    """`resolve FILE …` runs the spreadsheet command; `resolve evaluate|run|…` the others."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands:
            args = ["file", *args]
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=_FileOrCommand,
    help="实体解析 Entity resolution: which business a name means. "
    "`lookthrough resolve FILE --name-col C` links a spreadsheet's names.",
    no_args_is_help=True,
)


def _bar(quiet: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )


def _column(header: list[str], name: str | None, option: str) -> int | None:
    if name is None:
        return None
    if name not in header:
        raise ValidationFailed(f"文件中没有列“{name}”（{option}）；现有列：{'、'.join(header)}")
    return header.index(name)


@app.command("file", hidden=True)
def file_command(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV, XLSX or JSON."),
    name_col: str = typer.Option(..., "--name-col", help="Column with the business names."),
    address_col: str | None = typer.Option(None, "--address-col", help="Column with addresses."),
    phone_col: str | None = typer.Option(None, "--phone-col", help="Column with phones."),
    legal_rep_col: str | None = typer.Option(
        None, "--legal-rep-col", help="Column with legal representatives (operators)."
    ),
    region_col: str | None = typer.Option(
        None, "--region-col", help="Column with each row's region code (narrows the search)."
    ),
    region: str = typer.Option("34", "--region", help="Search businesses in this region only."),
    as_json: bool = typer.Option(False, "--json", help="Print the matches as JSON."),
) -> None:
    """逐行给出最可能的经营主体、匹配分和理由 Each row's best match, score and reasons."""
    table = read_rows(path)
    columns = {
        "name": _column(table.header, name_col, "--name-col"),
        "address": _column(table.header, address_col, "--address-col"),
        "phone": _column(table.header, phone_col, "--phone-col"),
        "legal_rep": _column(table.header, legal_rep_col, "--legal-rep-col"),
        "region": _column(table.header, region_col, "--region-col"),
    }
    rows: list[dict[str, Any]] = []
    for row_no, cells in table.rows:
        values = {k: (cells[i] if i is not None and i < len(cells) else None)
                  for k, i in columns.items()}  # fmt: skip
        rows.append({"key": str(row_no), **values, "region": values["region"] or region})
    if not rows:
        raise FileRejected("文件中没有数据行")
    settings = settings_for_cli()
    thresholds = service.thresholds_for(settings)
    with open_session(settings) as session:
        run.refresh_name_keys(session, region=region)
        entities = with_entity_names(run.load_entities(session, region=region))
        usccs = dict(session.execute(select(Entity.id, Entity.uscc)).all())
    mentions = with_mention_names(pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String)))
    engine = engine_named(settings.resolution_engine)
    with _bar(as_json) as bar:
        task = bar.add_task(f"{path.name}：匹配", total=len(rows))
        results = engine.match(
            entities, mentions, thresholds, progress=lambda n: bar.advance(task, n)
        )
    names = dict(zip(entities["entity_id"].to_list(), entities["name"].to_list(), strict=True))
    out = []
    for m, row in enumerate(rows):
        scored = results.get(m, [])
        best = scored[0] if scored else None
        out.append({
            "row": int(row["key"]), "name": row["name"],
            "entity_id": best.entity_id if best else None,
            "entity_name": names.get(best.entity_id) if best else None,
            "uscc": usccs.get(best.entity_id) if best else None,
            "score": best.score if best else 0.0,
            "status": status_for(best.score, thresholds) if best else "unlinked",
            "reasons": best.reasons if best else ["未找到名称相符的经营主体"],
            "candidates": len(scored),
        })  # fmt: skip
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    shown = Table("行", "名称", "最可能的主体", "统一社会信用代码", "匹配分", "结论", "理由")
    for item in out:
        shown.add_row(
            str(item["row"]), item["name"] or "", item["entity_name"] or "—", item["uscc"] or "",
            f"{item['score']:.2f}", review.STATUS_LABELS[item["status"]],
            "；".join(item["reasons"]),
        )  # fmt: skip
    Console(width=max(Console().width, 180)).print(shown)  # names are long: do not cut them


@app.command("evaluate")
def evaluate_command(
    truth: Path = typer.Option(
        ...,
        "--truth",
        exists=True,
        file_okay=False,
        help="A synthetic province folder (with truth/).",
    ),
    engine: str | None = typer.Option(None, "--engine", help="rules | splink (default: setting)."),
    database: bool = typer.Option(
        False, "--database", help="Score the links stored by `resolve run` instead."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """对照合成省份的真值评估 Precision, recall and review share on a synthetic province's truth
    (reads the folder's files and needs no database; --database scores the stored links)."""
    settings = settings_for_cli()
    if database:
        with open_session(settings) as session:
            result = evaluate_database(session, truth)
    else:
        result = evaluate(
            truth,
            thresholds=service.thresholds_for(settings),
            engine=engine_named(engine or settings.resolution_engine),
        )
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"{result.engine}：{result.mentions} 条仅有名称的提及；自动关联 {result.auto}（正确 "
        f"{result.correct}），待复核 {result.review}，未关联 {result.unlinked}\n"
        f"precision {result.precision:.4f}  recall {result.recall:.4f}  "
        f"review_share {result.review_share:.4f}  （{result.seconds} 秒）"
    )


@app.command("run")
def run_command(
    region: str = typer.Option("34", "--region", help="Resolve the records of this region."),
    new_only: bool = typer.Option(False, "--new-only", help="Skip mentions already resolved."),
    engine: str | None = typer.Option(None, "--engine", help="rules | splink (default: setting)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """关联库中全部投诉、舆情所指的经营主体 Resolve every mention record in the database."""
    settings = settings_for_cli()
    summary = resolve_database(
        settings, region=region, new_only=new_only, engine=engine, quiet=as_json
    )
    if as_json:
        typer.echo(json.dumps(summary.__dict__, ensure_ascii=False, indent=2))
        return
    s = summary.statuses
    console.print(
        f"已处理 {summary.mentions:,} 条提及：自动关联 {s.get('auto', 0):,}，"
        f"待复核 {s.get('review', 0):,}，未关联 {s.get('unlinked', 0):,}，"
        f"人工确认 {s.get('confirmed', 0):,}（{summary.seconds} 秒）"
    )


def resolve_database(
    settings: Any,
    *,
    region: str = "34",
    new_only: bool = False,
    engine: str | None = None,
    quiet: bool = False,
) -> run.RunSummary:
    """``run.resolve_all`` on the configured database, with a progress bar."""
    factory = session_factory(engine_for(settings.database_url))
    with _bar(quiet) as bar:
        task = bar.add_task("关联投诉舆情所指主体", total=None)
        return run.resolve_all(
            factory,
            actor=cli_actor("resolve run"),
            thresholds=service.thresholds_for(settings),
            engine=engine_named(engine or settings.resolution_engine),
            region=region,
            only_new=new_only,
            total=lambda n: bar.update(task, total=n),
            tick=lambda n: bar.advance(task, n),
        )


@app.command("rebuild")
def rebuild_command() -> None:
    """从候选与人工判定重建关联表 Recompute every mention link from scores and judgements."""
    settings = settings_for_cli()
    with open_session(settings) as session:
        written = service.rebuild_links(session, thresholds=service.thresholds_for(settings))
    console.print(f"已重建 {written:,} 条关联")


def _official(session: Any, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username, User.is_active))
    if user is None:
        raise NotFound(f"用户“{username}”不存在或已停用")
    return Actor(user_id=user.id, username=user.username, role=Role(user.role),
                 jurisdiction=user.region_code, region=user.region_code)  # fmt: skip


def _entity_id(session: Any, uscc: str) -> int:
    found = session.scalar(select(Entity.id).where(Entity.uscc == uscc.strip().upper()))
    if found is None:
        raise NotFound(f"没有统一社会信用代码为 {uscc} 的经营主体")
    return int(found)


def _merge(entity: str, into: str, username: str, note: str | None, judgement: str) -> None:
    settings = settings_for_cli()
    with open_session(settings) as session:
        actor = _official(session, username)
        changed = review.merge(
            session, actor=actor, entity_id=_entity_id(session, entity),
            into_entity_id=_entity_id(session, into), judgement=judgement,
            thresholds=service.thresholds_for(settings), note=note,
        )  # fmt: skip
    word = "合并" if judgement == "merge" else "拆分"
    console.print(f"已{word}（记录在案，可随时反向操作）；{changed} 条关联随之改变")


@app.command("merge")
def merge_command(
    entity: str = typer.Argument(..., help="Credit code of the business merged away."),
    into: str = typer.Argument(..., help="Credit code of the business it is one with."),
    as_user: str = typer.Option(..., "--as", help="The official who decides (username)."),
    note: str | None = typer.Option(None, "--note", help="Why."),
) -> None:
    """合并两个经营主体（同一主体的两条登记）Record that two business rows are one business."""
    _merge(entity, into, as_user, note, "merge")


@app.command("split")
def split_command(
    entity: str = typer.Argument(..., help="Credit code of the business merged earlier."),
    into: str = typer.Argument(..., help="Credit code of the business it was merged into."),
    as_user: str = typer.Option(..., "--as", help="The official who decides (username)."),
    note: str | None = typer.Option(None, "--note", help="Why."),
) -> None:
    """拆分此前合并的两个经营主体 Undo a merge (both steps stay in the history)."""
    _merge(entity, into, as_user, note, "split")

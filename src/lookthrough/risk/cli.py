"""`lookthrough risk seed | train | score | backtest | scheduler`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from lookthrough.cli_common import open_session, settings_for_cli
from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.risk import indicators, rules, scoring, training
from lookthrough.risk.scorers import ALGORITHMS

app = typer.Typer(
    help="风险评估 Risk: indicators, models, scoring, backtests.", no_args_is_help=True
)
console = Console(stderr=True)


def _actor(command: str) -> Actor:
    """Risk commands act as the province analyst role (they read business data)."""
    return Actor(
        user_id=None,
        username=f"system:cli risk {command}",
        role=Role.PROVINCE_ANALYST,
        jurisdiction="34",
        region="34",
    )


def _spinner(disable: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TimeElapsedColumn(),
        console=console,
        disable=disable,
    )


def _echo(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.command("seed")
def seed(as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """载入默认指标库 Publish the shipped indicator library (indicators already there are kept)."""
    with open_session(settings_for_cli()) as session:
        added = indicators.seed_defaults(session, actor=_actor("seed"))
        total = len(indicators.published(session))
    if as_json:
        _echo({"added": added, "published": total})
    else:
        typer.echo(f"默认指标库：新增 {added} 个，已发布指标共 {total} 个")


@app.command("train")
def train(
    algorithm: str = typer.Option("logistic", help=f"One of: {', '.join(ALGORITHMS)}."),
    years: int = typer.Option(2, min=1, max=5, help="Years of outcomes to learn from."),
    sample: int | None = typer.Option(
        None, "--sample", min=1000, help="Train on this many businesses drawn at random."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the model as JSON."),
) -> None:
    """训练风险模型 Train on past outcomes and make the model the active one."""
    with open_session(settings_for_cli()) as session:
        indicators.seed_defaults(session, actor=_actor("train"))
        with _spinner(as_json) as bar:
            bar.add_task(f"训练 {algorithm} 模型…", total=None)
            done = training.train(
                session, actor=_actor("train"), algorithm=algorithm, years=years, sample=sample
            )
        model = done.model
        data: dict[str, Any] = {
            "model_id": model.id,
            "algorithm": model.algorithm,
            "sha256": model.sha256,
        }
        data |= {"metrics": model.metrics, "indicators": len(model.indicators)}
    if as_json:
        _echo(data)
    else:
        m = model.metrics
        typer.echo(
            f"已训练并启用模型 {model.id}：训练样本 {m['n_train']:,}，不良结果比例 "
            f"{m['base_rate']:.1%}，数据截至 {m['data_end']}"
        )


@app.command("score")
def score(
    incremental: bool = typer.Option(
        False, "--incremental", help="Only businesses touched by records since the last run."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="Score as of YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="Print the run as JSON."),
) -> None:
    """风险评估 Re-score all businesses (or only those touched by new records)."""
    day = _date(as_of) if as_of else None
    settings = settings_for_cli()
    with open_session(settings) as session, _spinner(as_json) as bar:
        task = bar.add_task("风险评估…", total=None)
        summary = scoring.run(
            session,
            actor=_actor("score"),
            kind="incremental" if incremental else "full",
            as_of=day,
            dedup_days=settings.risk_alert_dedup_days,
            progress=lambda step: bar.update(task, description=f"风险评估：{step}"),
            mirror_folder=scoring.mirror_folder(settings),
        )
    data = {
        "run_id": summary.run_id,
        "kind": summary.kind,
        "model_id": summary.model_id,
        "as_of": summary.as_of.isoformat(),
        "entities": summary.entities,
        "events": summary.events,
        "alerts": summary.alerts,
        "levels": {rules.LEVELS[k]: v for k, v in summary.level_counts.items()},
        "seconds": summary.seconds,
    }
    if as_json:
        _echo(data)
        return
    levels = "，".join(f"{rules.LEVELS[k]} {v:,}" for k, v in summary.level_counts.items())
    typer.echo(
        f"已评估 {summary.entities:,} 户（{'增量' if summary.kind == 'incremental' else '全量'}，"
        f"截至 {summary.as_of}）：{levels}；新增预警 {summary.alerts:,} 条"
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(f"日期“{text}”须为 YYYY-MM-DD") from error


@app.command("backtest")
def backtest(
    features: Path | None = typer.Option(
        None, "--features", exists=True, dir_okay=False, help="An external feature table (CSV)."
    ),
    id_col: str | None = typer.Option(None, "--id", help="Subject column of the table."),
    date_col: str | None = typer.Option(None, "--date", help="Date column of the table."),
    label_col: str | None = typer.Option(None, "--label", help="Label column (1 = violation)."),
    split: str | None = typer.Option(None, "--split", help="Rows before YYYY-MM-DD train."),
    algorithm: str = typer.Option("logistic", help="Scorer for the platform's own records."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """回测 Train on the past, score a later period: AUC, recall/precision/lift at k%, mean days
    earlier. Without --features it runs on the platform's own records."""
    if features is not None:
        from lookthrough.risk.external import backtest_table

        if not (id_col and date_col and label_col and split):
            raise typer.BadParameter(
                "使用 --features 时须同时给出 --id、--date、--label 和 --split"
            )
        result = backtest_table(
            features, id_col=id_col, date_col=date_col, label_col=label_col, split=_date(split)
        )
    else:
        with open_session(settings_for_cli()) as session, _spinner(as_json) as bar:
            bar.add_task("回测…", total=None)
            indicators.seed_defaults(session, actor=_actor("backtest"))
            result = training.backtest(session, algorithm=algorithm)
        result.pop("entity_ids", None)
        result.pop("scores", None)
    if as_json:
        _echo(result)
        return
    auc = result.get("auc")
    days = result.get("days_earlier_mean")
    typer.echo(
        f"训练 {result['n_train']:,} 行，测试 {result['n_test']:,} 行；AUC "
        f"{'—' if auc is None else f'{auc:.3f}'}；前10%召回率 {result['recall_at_10pct']:.1%}"
        f"（随机的 {result['lift_at_10pct']:.1f} 倍）；平均提前 "
        f"{'—' if days is None else f'{days:.1f}'} 天"
    )


@app.command("scheduler")
def scheduler(
    once: bool = typer.Option(False, "--once", help="Run each job once now and exit."),
) -> None:
    """定时任务 The risk jobs of the shared scheduler (`lookthrough scheduler --job risk`):
    nightly full re-score, incremental every few minutes."""
    from lookthrough.scheduler_cli import run_command

    run_command(names=["risk"], once=once, as_json=False)

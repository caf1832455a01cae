"""`lookthrough import`: files or a folder with a manifest, with a progress bar."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from lookthrough.cli_common import settings_for_cli
from lookthrough.core.actor import Actor
from lookthrough.core.db import engine_for, session_factory
from lookthrough.core.roles import Role
from lookthrough.ingest import manifest, service
from lookthrough.ingest.models import IngestBatch

console = Console(stderr=True)


def import_command(
    path: Path = typer.Argument(
        ..., exists=True, help="A CSV/XLSX/JSON file, or a folder with manifest.json."
    ),
    kind: str | None = typer.Option(
        None,
        "--kind",
        help="Target: entity, subject, relation, or a "
        "record kind (inspection, finding, sampling, penalty, "
        "complaint, …).",
    ),
    mapping: Path | None = typer.Option(None, "--mapping", help="A YAML column mapping."),
    source: str | None = typer.Option(
        None, "--source", help="Provenance name (default: the mapping's)."
    ),
    region: str = typer.Option(
        "34", "--region", help="Jurisdiction the file belongs to; rows outside it are quarantined."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """导入数据文件 Import a file (accepted + quarantined + duplicates = rows read)."""
    settings = settings_for_cli()
    factory = session_factory(engine_for(settings.database_url))
    actor = Actor(
        user_id=None,
        username="system:cli import",
        role=Role.PROVINCE_ANALYST,
        jurisdiction="34",
        region=region,
    )
    if path.is_dir():
        jobs = manifest.plan(path)
    else:
        if kind is None:
            raise typer.BadParameter("导入单个文件时须用 --kind 指定类别")
        jobs = [manifest.Job(path=path, target=kind, mapping=mapping, source=source)]
    results = []
    for job in jobs:
        chosen = service.mapping_for(job.target, job.mapping)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=as_json,
        ) as bar:
            task = bar.add_task(f"{job.path.name}（{job.target}）", total=None)

            def tick(batch: IngestBatch, task_id: TaskID = task) -> None:
                bar.update(task_id, completed=batch.rows_read, total=batch.rows_total)

            summary = service.run_import(
                factory,
                actor=actor,
                path=job.path,
                mapping=chosen,
                source=job.source,
                scope=region,
                progress=tick,
            )
        results.append(summary)
        if not as_json:
            console.print(
                f"{job.path.name}: 读取 {summary.rows_read} 行 = 接受 {summary.accepted}"
                f" + 隔离 {summary.quarantined} + 重复 {summary.duplicates}"
                + (f"（从第 {summary.resumed_from} 行后续传）" if summary.resumed_from else "")
            )
    if as_json:
        data = [asdict(r) | {"adds_up": r.adds_up} for r in results]
        typer.echo(
            json.dumps(
                data[0] if len(data) == 1 and not path.is_dir() else data,
                ensure_ascii=False,
                indent=2,
            )
        )

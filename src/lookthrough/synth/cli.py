"""`lookthrough synth`: write a synthetic province to a folder."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.console import Console

from lookthrough.synth.generate import generate
from lookthrough.synth.scales import SCALES

console = Console(stderr=True)


def synth_command(
    scale: str = typer.Option("small", "--scale", help="tiny | small | city | province"),
    seed: int = typer.Option(1, "--seed", help="Same seed, same province, byte for byte."),
    out: Path = typer.Option(..., "--out", help="Folder to write (created if needed)."),
    as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
) -> None:
    """生成合成省份数据 Generate a synthetic Anhui: exchange files, manifest.json, truth/."""
    if scale not in SCALES:
        raise typer.BadParameter(f"规模须为 {', '.join(SCALES)} 之一")
    started = time.monotonic()

    def tick(name: str, rows: int) -> None:
        if not as_json:
            console.print(f"  {name:<24} {rows:>12,} 行  ({time.monotonic() - started:,.0f} s)")

    manifest = generate(scale, seed, out, progress=tick)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "scale": manifest.scale,
                    "seed": manifest.seed,
                    "files": manifest.files,
                    "counts": manifest.counts,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        records = sum(
            v for k, v in manifest.counts.items() if k not in {"entity", "subject", "relation"}
        )
        console.print(
            f"[green]已生成 {manifest.counts.get('entity', 0):,} 户经营主体、"
            f"{records:,} 条监管信息 → {out}[/green]"
        )

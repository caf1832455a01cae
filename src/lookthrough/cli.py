"""The `lookthrough` command. One sub-command group per domain; `--help` everywhere."""

from __future__ import annotations

import sys
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from lookthrough import __version__
from lookthrough.accounts import cli as accounts_cli
from lookthrough.cli_common import cli_actor, open_session, settings_for_cli
from lookthrough.core.errors import LookthroughError
from lookthrough.disposal import cli as disposal_cli
from lookthrough.ingest import cli as ingest_cli
from lookthrough.inspection import cli as inspection_cli
from lookthrough.lists import cli as lists_cli
from lookthrough.penetration import cli as penetration_cli
from lookthrough.registry import cli as registry_cli
from lookthrough.resolution import cli as resolution_cli
from lookthrough.risk import cli as risk_cli
from lookthrough.scheduler_cli import scheduler_command
from lookthrough.synth import cli as synth_cli

app = typer.Typer(
    help="穿透式监管平台 Lookthrough — penetrating supervision for market regulation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="数据库 Database: migrations and checks.", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志 Audit trail.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(accounts_cli.app, name="users")
app.add_typer(audit_app, name="audit")
app.command("import")(ingest_cli.import_command)
app.add_typer(registry_cli.app, name="uscc")
app.command("synth")(synth_cli.synth_command)
app.add_typer(penetration_cli.app, name="penetration")
app.add_typer(inspection_cli.app, name="inspection")
app.add_typer(disposal_cli.app, name="disposal")
app.add_typer(resolution_cli.app, name="resolve")
app.add_typer(risk_cli.app, name="risk")
app.add_typer(lists_cli.app, name="lists")
app.command("scheduler")(scheduler_command)
console = Console()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Print the version.")) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


def upgrade_database() -> dict[str, Any]:
    """Migrate to the newest schema and load the shipped divisions (idempotent)."""
    from lookthrough.core.db import engine_for
    from lookthrough.core.migrate import upgrade
    from lookthrough.regions import service as regions_service

    settings = settings_for_cli()
    upgrade(engine_for(settings.database_url))
    with open_session(settings) as session:
        result = regions_service.sync_divisions(session, actor=cli_actor("db upgrade"))
        regions_service.mark_boundaries(session, regions_service.shipped_boundaries())
    return {
        "regions_added": result.added,
        "regions_updated": result.updated,
        "regions_total": result.total,
    }


@db_app.command("upgrade")
def db_upgrade() -> None:
    """升级数据库到最新结构并载入行政区划 Migrate and load the division table."""
    summary = upgrade_database()
    typer.echo(
        f"数据库已是最新结构；行政区划 {summary['regions_total']} 条"
        f"（新增 {summary['regions_added']}，更新 {summary['regions_updated']}）"
    )


@db_app.command("check")
def db_check() -> None:
    """检查模型与迁移是否一致 Fail when models and migrations disagree (alembic check)."""
    from lookthrough.core.db import engine_for
    from lookthrough.core.migrate import check

    check(engine_for(settings_for_cli().database_url))
    typer.echo("模型与迁移一致")


@audit_app.command("purge")
def audit_purge() -> None:
    """归档并清理超过保存期的审计日志 Archive, then delete, events past retention."""
    from lookthrough.audit import service as audit_service
    from lookthrough.core.actor import Actor
    from lookthrough.core.roles import Role

    settings = settings_for_cli()
    with open_session(settings) as session:
        count, path = audit_service.purge(
            session,
            actor=Actor.system("cli audit purge", role=Role.AUDIT_ADMIN),
            retention_days=settings.audit_retention_days,
            archive_dir=settings.var_dir / "audit-archive",
        )
    typer.echo(f"已归档并清理 {count} 条审计日志" + (f"，归档文件 {path}" if path else ""))


@app.command("serve")
def serve(
    host: str | None = typer.Option(None, help="Listen address (setting: HOST)."),
    port: int | None = typer.Option(None, help="Port (setting: PORT)."),
) -> None:
    """启动网页服务 Serve the web application."""
    import uvicorn

    settings = settings_for_cli()
    uvicorn.run(
        "lookthrough.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        proxy_headers=False,
        log_level="info",
    )


@app.command("get")
def get(
    path: str = typer.Argument(..., help="Path, e.g. /api/v1/auth/me"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this username."),
) -> None:
    """在进程内发出一次 GET 请求 One in-process request; prints the body, exit 1 on error."""
    from lookthrough.web.inprocess import request_as

    status, body = request_as(path, username=as_user)
    typer.echo(body)
    if status >= 400:
        raise typer.Exit(1)


@app.command("demo")
def demo(
    host: str | None = typer.Option(None, help="Listen address."),
    port: int | None = typer.Option(None, help="Port."),
    scale: str = typer.Option("small", help="Synthetic province to load: tiny | small."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Prepare only, do not serve."),
) -> None:
    """准备演示环境并启动 Create the embedded database, load a synthetic province, print the
    demo accounts, serve."""
    from lookthrough import demo as demo_module

    settings = settings_for_cli()
    summary = upgrade_database()
    loaded = demo_module.load_province(settings, scale=scale, console=console)
    resolved = demo_module.resolve_mentions(settings, console=console)
    # Risk: train on the province's past and score it, so the dashboards show real risk.
    from lookthrough.risk.demo_step import train_and_score

    loaded += "；" + train_and_score(settings, console=console)
    with open_session(settings) as session:
        grids = demo_module.seed_grids(session)
        logins = demo_module.seed_accounts(
            session, settings=settings, password=settings.demo_password
        )
    with open_session(settings) as session:  # inspections: after the accounts it binds
        console.print(demo_module.seed_inspections(session, settings=settings))
    # The four lists: matters, proposals and one confirmed, penetrated problem each.
    from lookthrough.lists import demo as lists_demo

    with open_session(settings) as session:
        loaded += "；" + lists_demo.seed_chain(session)
    console.print(
        f"[green]行政区划 {summary['regions_total']} 条，新增演示网格 {grids} 个；{loaded}[/green]"
    )
    console.print(f"[green]{resolved}[/green]")
    table = Table(
        "用户名 username",
        "密码 password",
        "角色 role",
        "管辖 region",
        title="演示账号 Demo accounts",
    )
    for account, secret in logins:
        table.add_row(account.username, secret, account.role.label, account.region)
    console.print(table)
    address = f"http://{host or settings.host}:{port or settings.port}"
    console.print(f"打开 Open [bold]{address}[/bold] 并用上面的账号登录 and log in.")
    if not no_serve:
        serve(host=host, port=port)


def main(argv: list[str] | None = None) -> int:
    """Entry point: domain errors print their message and exit 1."""
    try:
        app(args=argv, prog_name="lookthrough")
    except LookthroughError as error:
        typer.echo(f"错误：{error.message}", err=True)
        return 1
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

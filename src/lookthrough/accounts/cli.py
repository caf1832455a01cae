"""`lookthrough users …`: create and list accounts from the command line."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.table import Table

from lookthrough.accounts import service
from lookthrough.cli_common import cli_actor, open_session, settings_for_cli
from lookthrough.core.roles import ACCOUNT_ROLES, Role

app = typer.Typer(help="账号管理 Accounts.", no_args_is_help=True)
ROLE_HELP = "角色 role: " + ", ".join(f"{r.value}（{r.label}）" for r in ACCOUNT_ROLES)


@app.command("create")
def create(
    username: str = typer.Option(..., help="用户名 (3–64 letters, digits, _ . -)."),
    role: Role = typer.Option(..., help=ROLE_HELP),
    region: str = typer.Option("", help="管辖区划代码, e.g. 34, 3401, 340104."),
    entity: str | None = typer.Option(None, help="经营主体用户绑定的统一社会信用代码."),
    display_name: str = typer.Option("", help="姓名 (defaults to the username)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    must_change: bool = typer.Option(True, help="Require a password change at first login."),
) -> None:
    """创建账号 Create an account (audited as the command-line system administrator)."""
    if not password_stdin:
        raise typer.BadParameter("请用 --password-stdin 从标准输入提供密码（不要写在命令行里）")
    password = sys.stdin.readline().rstrip("\r\n")
    settings = settings_for_cli()
    with open_session(settings) as session:
        user = service.create_user(
            session,
            actor=cli_actor("users create"),
            settings=settings,
            new=service.NewUser(
                username=username,
                display_name=display_name or username,
                role=role,
                region_code=region,
                password=password,
                entity_uscc=entity,
                must_change_password=must_change,
            ),
        )
        typer.echo(
            f"已创建账号 {user.username}（{Role(user.role).label}，区划 {user.region_code}）"
        )


@app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """列出账号 List accounts."""
    settings = settings_for_cli()
    with open_session(settings) as session:
        rows, _ = service.list_users(session, actor=cli_actor("users list"), limit=100_000)
        data = [
            {
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "region_code": u.region_code,
                "entity_id": u.entity_id,
                "is_active": u.is_active,
            }
            for u in rows
        ]
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table("用户名", "姓名", "角色", "区划", "状态")
    for item in data:
        table.add_row(
            str(item["username"]),
            str(item["display_name"]),
            Role(str(item["role"])).label,
            str(item["region_code"]),
            "启用" if item["is_active"] else "停用",
        )
    Console().print(table)

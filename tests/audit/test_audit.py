"""The audit trail: append-only in the database, complete, exportable, retained ≥ 186 days."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from factories import login, make_user
from lookthrough.audit import service
from lookthrough.audit.events import DataExported
from lookthrough.audit.models import AuditEvent
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import PermissionDenied
from lookthrough.core.roles import Role

AUDITOR = Actor.system("tests", role=Role.AUDIT_ADMIN)


def write_event(db: Session) -> AuditEvent:
    return service.record(
        db, actor=Actor.system("tests"), event=DataExported(object_id="entity", rows=1)
    )


def test_rows_cannot_be_updated(db: Session) -> None:
    row = write_event(db)
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(update(AuditEvent).where(AuditEvent.id == row.id).values(kind="forged"))


def test_young_rows_cannot_be_deleted(db: Session) -> None:
    row = write_event(db)
    with pytest.raises(DBAPIError, match="186 days"), db.begin_nested():
        db.execute(delete(AuditEvent).where(AuditEvent.id == row.id))


def test_table_cannot_be_truncated_on_postgres(db: Session) -> None:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    write_event(db)
    with pytest.raises(DBAPIError, match="truncated"), db.begin_nested():
        db.execute(text("TRUNCATE audit_event"))


def test_rows_verify_against_their_hash(db: Session) -> None:
    row = write_event(db)
    assert service.verify_row(row)
    row.detail = {"rows": 999}  # a change made behind the application's back
    assert not service.verify_row(row)
    db.expire(row)


def test_purge_archives_only_rows_past_retention(db: Session, tmp_path: Path) -> None:
    with time_machine.travel(clock.utcnow() - timedelta(days=200), tick=False):
        old = write_event(db)
    young = write_event(db)
    count, archive = service.purge(db, actor=AUDITOR, retention_days=186, archive_dir=tmp_path)
    assert count >= 1 and archive is not None and archive.exists()
    assert db.get(AuditEvent, young.id) is not None
    db.expire_all()
    assert db.get(AuditEvent, old.id) is None
    assert db.scalars(select(AuditEvent.kind).order_by(AuditEvent.id.desc())).first() == (
        "audit.purged"
    )


def test_purge_never_goes_under_the_floor(db: Session, tmp_path: Path) -> None:
    with time_machine.travel(clock.utcnow() - timedelta(days=100), tick=False):
        kept = write_event(db)
    count, _ = service.purge(db, actor=AUDITOR, retention_days=30, archive_dir=tmp_path)
    assert db.get(AuditEvent, kept.id) is not None
    assert count == 0


def test_only_the_audit_admin_reads_the_trail(db: Session) -> None:
    with pytest.raises(PermissionDenied):
        service.list_events(db, actor=Actor.system("x"), query=service.AuditQuery())


def test_export_is_excel_escaped_and_itself_audited(db: Session, client: TestClient) -> None:
    client.post("/api/v1/auth/login", json={"username": '=HYPERLINK("x")', "password": "x"})
    headers = login(client, make_user(db, role=Role.AUDIT_ADMIN, region="34").username)
    response = client.get("/api/v1/audit/events.xlsx", headers=headers)
    assert response.status_code == 200
    sheet = zipfile.ZipFile(io.BytesIO(response.content))
    xml = "".join(sheet.read(n).decode() for n in sheet.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml, "no cell may become a formula"
    assert "&apos;=HYPERLINK" in xml or "'=HYPERLINK" in xml
    assert db.scalars(select(AuditEvent).where(AuditEvent.kind == "data.exported")).first()


def test_audit_page_lists_and_filters(db: Session, client: TestClient) -> None:
    from factories import login_browser

    make_user(db)
    login_browser(client, make_user(db, role=Role.AUDIT_ADMIN, region="34").username)
    page = client.get("/admin/audit?kind=accounts.user_created")
    assert page.status_code == 200
    assert "创建用户" in page.text and "登录成功" not in page.text.split("<tbody>")[1]

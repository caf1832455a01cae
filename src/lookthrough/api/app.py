"""The web application: JSON API under /api/v1, pages under /, public pages under /public."""

from __future__ import annotations

import logging
import uuid
from functools import lru_cache
from importlib import resources
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lookthrough import __version__
from lookthrough.api.errors import ErrorBody, body_for
from lookthrough.audit import service as audit
from lookthrough.audit.events import AccessDenied
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings, get_settings
from lookthrough.core.db import engine_for, session_factory, transaction
from lookthrough.core.errors import LookthroughError, NotAuthenticated, PermissionDenied
from lookthrough.web.i18n import negotiate
from lookthrough.web.templating import render

log = logging.getLogger("lookthrough")

SECURITY_HEADERS = {
    # No inline scripts and nothing from other hosts; ECharts and htmx set inline styles.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application around one settings object and one database engine."""
    settings = settings or get_settings()
    engine = engine or engine_for(settings.database_url)
    app = FastAPI(
        title="Lookthrough 穿透式监管平台",
        version=__version__,
        description="市场监管穿透式监管平台接口。所有业务数据按用户管辖区划限定。",
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = session_factory(engine)
    _install_middleware(app)
    _install_error_handlers(app)
    _include_routes(app)
    static = resources.files("lookthrough.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app


def _install_middleware(app: FastAPI) -> None:
    app.add_middleware(RequestContext)


class RequestContext:
    """Each request's id and locale (``request.state``), and the headers every answer carries.

    A plain ASGI middleware: as ``@app.middleware("http")`` (Starlette's BaseHTTPMiddleware)
    every request went through an extra task and a memory stream for its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        settings: Settings = request.app.state.settings
        asked = request.query_params.get("lang")
        locale = negotiate(request.cookies.get("lt_lang"), asked, settings.default_locale)
        request_id = uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"], state["locale"] = request_id, locale
        static = scope["path"].startswith("/static/")

        async def answering(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    if not (name == "Cache-Control" and static) and name not in headers:
                        headers[name] = value
                if asked == locale:
                    headers.append("set-cookie", _language_cookie(locale))
            await send(message)

        await self.app(scope, receive, answering)


@lru_cache(maxsize=8)
def _language_cookie(locale: str) -> str:
    """The Set-Cookie value that remembers a language chosen with ``?lang=``."""
    response = Response()
    response.set_cookie("lt_lang", locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response.headers["set-cookie"]


def _audit_denial(request: Request, error: PermissionDenied) -> None:
    """Denials are audited in their own transaction: the request's own work was rolled back."""
    actor: Actor = getattr(request.state, "actor", None) or Actor.public(
        ip=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )
    if error.context.get("must_change_password"):
        return
    try:
        with transaction(request.app.state.sessionmaker) as session:
            audit.record(
                session,
                actor=actor,
                outcome="failure",
                event=AccessDenied(
                    object_id=f"{request.method} {request.url.path}"[:80],
                    code=type(error).code,
                    reason=error.message,
                ),
            )
    except Exception:  # the denial itself must still reach the user
        log.exception("could not audit an access denial")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LookthroughError)
    async def domain_error(request: Request, error: LookthroughError) -> Response:
        if isinstance(error, PermissionDenied):
            _audit_denial(request, error)
        if is_api(request):
            return JSONResponse(body_for(error), status_code=type(error).status)
        if isinstance(error, NotAuthenticated):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(
                f"/login?next={quote(target)}&reason={type(error).code}", status_code=303
            )
        if isinstance(error, PermissionDenied) and error.context.get("must_change_password"):
            return RedirectResponse("/account/password", status_code=303)
        return render(
            request,
            "error.html",
            {"status": type(error).status, "message": error.message},
            status_code=type(error).status,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in item.get('loc', ()) if p != 'body')}: {item.get('msg')}"
            for item in error.errors()
        ]
        message = "请求参数不正确：" + "；".join(problems)
        if is_api(request):
            body = ErrorBody(
                code="validation_failed", detail=message, context={"problems": problems}
            )
            return JSONResponse(body.model_dump(), status_code=422)
        return render(request, "error.html", {"status": 422, "message": message}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = {404: "页面不存在", 405: "不支持此请求方法"}.get(
            error.status_code, str(error.detail)
        )
        if is_api(request):
            code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "error")
            return JSONResponse(
                ErrorBody(code=code, detail=message).model_dump(), status_code=error.status_code
            )
        return render(
            request,
            "error.html",
            {"status": error.status_code, "message": message},
            status_code=error.status_code,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error", exc_info=error)
        internal = LookthroughError()
        if is_api(request):
            return JSONResponse(body_for(internal), status_code=500)
        return render(
            request, "error.html", {"status": 500, "message": internal.message}, status_code=500
        )


def _include_routes(app: FastAPI) -> None:
    from lookthrough.accounts import admin_api, admin_pages, api, pages
    from lookthrough.audit import api as audit_api
    from lookthrough.audit import pages as audit_pages
    from lookthrough.dashboard import api as dashboard_api
    from lookthrough.dashboard import pages as dashboard_pages
    from lookthrough.disposal import api as disposal_api
    from lookthrough.disposal import pages as disposal_pages
    from lookthrough.ingest import api as ingest_api
    from lookthrough.ingest import pages as ingest_pages
    from lookthrough.inspection import api as inspection_api
    from lookthrough.inspection import pages as inspection_pages
    from lookthrough.lists import api as lists_api
    from lookthrough.lists import api_chain as lists_chain_api
    from lookthrough.lists import api_documents as lists_documents_api
    from lookthrough.lists import pages as lists_pages
    from lookthrough.lists import pages_chain as lists_chain_pages
    from lookthrough.lists import pages_guidelines as lists_guideline_pages
    from lookthrough.lists import pages_rectify as lists_rectify_pages
    from lookthrough.profile import api as profile_api
    from lookthrough.profile import pages as profile_pages
    from lookthrough.records import api as records_api
    from lookthrough.records import pages as records_pages
    from lookthrough.regions import api as regions_api
    from lookthrough.regions import pages as regions_pages
    from lookthrough.registry import api as registry_api
    from lookthrough.resolution import api as resolution_api
    from lookthrough.resolution import pages as resolution_pages
    from lookthrough.risk import api as risk_api
    from lookthrough.risk import pages as risk_pages

    for router in (
        api.router,
        admin_api.router,
        audit_api.router,
        dashboard_api.router,
        regions_api.router,
        registry_api.router,
        records_api.router,
        ingest_api.router,
        lists_api.router,
        inspection_api.router,
        disposal_api.router,
        resolution_api.router,
        profile_api.router,
        risk_api.router,
        lists_chain_api.router,
        lists_documents_api.router,
    ):
        app.include_router(router, prefix="/api/v1")
    for router in (
        pages.router,
        admin_pages.router,
        audit_pages.router,
        dashboard_pages.router,
        regions_pages.router,
        profile_pages.router,
        records_pages.router,
        ingest_pages.router,
        inspection_pages.router,
        disposal_pages.router,
        resolution_pages.router,
        risk_pages.router,
        lists_pages.router,
        lists_chain_pages.router,
        lists_rectify_pages.router,
        lists_guideline_pages.router,
    ):
        app.include_router(router)

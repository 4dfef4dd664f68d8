"""The app factory: settings, database lifespan, routes, auth and security headers."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components
from litestar.types import Message, Scope

from server import __version__
from server.auth.middleware import auth_middleware
from server.auth.principal import Principal
from server.backups import hold_lock
from server.console.routes import CONSOLE_ROUTES
from server.db import Database, StorageUnavailable
from server.head import answer_head
from server.proxy import networks, trust_proxies
from server.ratelimit import RateLimiter
from server.routes._openapi import SECURITY_SCHEMES, StrictStructs
from server.routes.bundles import BUNDLE_ROUTES
from server.routes.forms import FORM_ROUTES
from server.routes.health import health
from server.routes.institutions import INSTITUTION_ROUTES
from server.routes.pwa import pwa_routes
from server.routes.reports import REPORT_ROUTES
from server.routes.sync import SYNC_ROUTES
from server.routes.trainings import TRAINING_ROUTES
from server.routes.uploads import UPLOAD_ROUTES
from server.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _storage_unavailable(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return Response(
        {"detail": "The server cannot store data right now; nothing was kept. Try again later."},
        status_code=503,
        headers={"Retry-After": "30"},
    )


#: Sent when the public URL is https: browsers then never try plain http on this host.
HSTS = {"Strict-Transport-Security": "max-age=31536000"}


def _security_headers(https: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """Adds the security headers to every response, error pages included (an `after_request`
    hook never sees the responses made from exceptions, such as 401 and 404)."""
    chosen = {**SECURITY_HEADERS, **(HSTS if https else {})}
    header_bytes = [(k.lower().encode(), v.encode()) for k, v in chosen.items()]

    async def add(message: Message, _: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers", []))
        present = {bytes(name).lower() for name, _ in headers}
        headers += [(k, v) for k, v in header_bytes if k not in present]
        message["headers"] = headers

    return add


async def _no_store_for_staff(message: Message, scope: Scope) -> None:
    """Whatever answers a signed-in staff member (join codes, answer keys, reports) is kept by
    no cache, shared or private; the console's own stylesheets and scripts may be."""
    if message["type"] != "http.response.start" or not isinstance(scope.get("user"), Principal):
        return
    if scope.get("path", "").startswith("/console/static/"):
        return
    headers = [
        (k, v) for k, v in message.get("headers", []) if bytes(k).lower() != b"cache-control"
    ]
    message["headers"] = [*headers, (b"cache-control", b"no-store")]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    db = Database(settings.db_path)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await db.open()
        try:
            yield
        finally:
            await db.close()

    async def provide_db() -> Database:
        return db

    state = State(
        {
            "settings": settings,
            "db": db,
            "sync_limiter": RateLimiter(settings.sync_rate_per_minute),
            "sync_address_limiter": RateLimiter(settings.sync_address_rate_per_minute),
            "join_limiter": RateLimiter(settings.join_attempts_per_minute),
            "login_limiter": RateLimiter(settings.login_attempts, window=15 * 60),
            "login_address_limiter": RateLimiter(settings.login_address_attempts, window=15 * 60),
        }
    )
    app = Litestar(
        route_handlers=[
            health,
            *FORM_ROUTES,
            *INSTITUTION_ROUTES,
            *TRAINING_ROUTES,
            *BUNDLE_ROUTES,
            *SYNC_ROUTES,
            *UPLOAD_ROUTES,
            *REPORT_ROUTES,
            *pwa_routes(settings.pwa_dir),
            *CONSOLE_ROUTES,
        ],
        dependencies={"db": Provide(provide_db)},
        # The lock first: `tadrib restore` refuses while a server holds it.
        lifespan=[hold_lock(settings.db_path), lifespan],
        state=state,
        middleware=[auth_middleware],
        before_send=[_security_headers(settings.https), _no_store_for_staff],
        exception_handlers={
            StorageUnavailable: _storage_unavailable,
            sqlite3.OperationalError: _storage_unavailable,
        },
        openapi_config=OpenAPIConfig(
            title="Tadrib",
            version=__version__,
            path="/schema",
            # The document only: the HTML viewers load scripts from other sites, which the
            # security policy refuses and an offline workshop network cannot reach.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
            components=Components(security_schemes=dict(SECURITY_SCHEMES)),
        ),
        plugins=[StrictStructs()],
        # Phones on slow networks: text (the app shell, bundles, reports) travels gzipped.
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        request_max_body_size=16 * 1024 * 1024,
    )
    app.asgi_handler = trust_proxies(
        answer_head(app.asgi_handler), networks(settings.trusted_proxies)
    )
    return app

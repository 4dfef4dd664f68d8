"""What the static file routes may serve, and how they say a file is not there.

Only the kinds of file a web page loads are served, so notes kept beside the app (a README,
a dotfile) stay private; a miss is a bare 404 that names no path on the server.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler

#: The suffixes of the files a page loads: scripts, styles, images, fonts, manifests.
SERVED_SUFFIXES = frozenset(
    {".js", ".css", ".html", ".png", ".svg", ".ico", ".webp", ".woff2", ".webmanifest", ".json"}
)


def page_files_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Refuse, as not found, any file that is not a page's asset or sits in a hidden folder."""
    path = PurePosixPath(str(connection.path_params.get("file_path", "")))
    hidden = any(part.startswith(".") for part in path.parts)
    if hidden or path.suffix.lower() not in SERVED_SUFFIXES:
        raise NotFoundException()


def plain_not_found(_: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
    return Response({"status_code": 404, "detail": "Not Found"}, status_code=404)


STATIC_OPTIONS: dict[str, Any] = {
    "guards": [page_files_only],
    "exception_handlers": {NotFoundException: plain_not_found},
}

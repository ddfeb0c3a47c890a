"""HTTP routes and middleware that `app.py` hands to `st.App` (Starlette; no Streamlit import here).

- `POST /api/sesi`: exchanges the one-time ticket of a fresh sign-in (core/sesi.py) for the session
  cookie. The Streamlit websocket cannot set cookies; an ordinary same-origin fetch can.
- `POST /api/sesi/keluar`: ends the session the cookie names and clears the cookie.
- GZip for every HTTP response, including the `/static/` JavaScript bundles that Streamlit's own
  middleware leaves uncompressed (measured in docs/deploy.md).

Both routes accept only same-origin requests that carry the `X-Anev` header: a page on another site
cannot send that header without a CORS preflight, which these routes never grant (login CSRF).
The client address and the scheme come from uvicorn, which applies `X-Forwarded-For` and
`X-Forwarded-Proto` only from the addresses in `FORWARDED_ALLOW_IPS` (default 127.0.0.1): behind the
reverse proxy of docs/deploy.md the cookie is then `Secure` and the sign-in limits see the real client.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core import config, sesi, store

HEADER = "X-Anev"
# Measured on a first load (login form and Ringkasan, 103 files, 7.5 MB): level 6 gives 2.5 MB for 0.26 s of CPU once per
# browser (the bundles are then cached as immutable); level 9 saves 4 kB more for 28% more CPU (docs/deploy.md).
GZIP_LEVEL = 6
GZIP_MINIMUM = 1024
_MAX_BODY = 1024


def _same_origin(request: Request) -> bool:
    if request.headers.get(HEADER) != "1":
        return False
    site = request.headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = request.headers.get("origin")
    if origin is not None:
        host = request.headers.get("host", "")
        if origin.split("://", 1)[-1].rstrip("/") != host:
            return False
    return True


def _refuse(status: int = 403) -> JSONResponse:
    return JSONResponse({"ok": False}, status_code=status, headers={"Cache-Control": "no-store"})


def _cookie_secure(request: Request) -> bool:
    return request.url.scheme == "https"


async def take_cookie(request: Request) -> JSONResponse:
    """Ticket in, HttpOnly session cookie out (once per ticket)."""
    if not _same_origin(request):
        return _refuse()
    body = await request.body()
    if len(body) > _MAX_BODY:
        return _refuse(413)
    try:
        ticket = (await request.json()).get("tiket")
    except (ValueError, AttributeError):
        return _refuse(400)
    engine = store.get_engine(config.db_url())
    token = await run_in_threadpool(sesi.redeem, engine, ticket)
    if token is None:
        return _refuse(400)
    response = JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
    response.set_cookie(sesi.COOKIE, token, max_age=int(sesi.limits().absolute.total_seconds()), path="/",
                        secure=_cookie_secure(request), httponly=True, samesite="lax")
    return response


async def drop_cookie(request: Request) -> JSONResponse:
    """End the cookie's session (if any) and tell the browser to forget the cookie."""
    if not _same_origin(request):
        return _refuse()
    token = request.cookies.get(sesi.COOKIE)
    if token:
        await run_in_threadpool(sesi.revoke_token, store.get_engine(config.db_url()), token, "keluar")
    response = JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
    response.delete_cookie(sesi.COOKIE, path="/", secure=_cookie_secure(request), httponly=True, samesite="lax")
    return response


def routes() -> list[Route]:
    """The routes `st.App` serves beside Streamlit's own."""
    return [Route("/api/sesi", take_cookie, methods=["POST"]), Route("/api/sesi/keluar", drop_cookie, methods=["POST"])]


def middleware() -> list[Middleware]:
    """GZip outside Streamlit's middleware: compresses `/static/` too; skips what is already compressed."""
    return [Middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM, compresslevel=GZIP_LEVEL)]

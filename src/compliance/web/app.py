"""The web app: a flat list of routes over one library call.

``GET /`` the page, ``GET /healthz``, ``GET /api/options`` (what the page offers),
``POST /api/check`` (multipart files or one zip; the JSON report, or
``?format=html|xlsx|sarif``, or ``page`` — JSON, HTML and XLSX in one answer for
the page), ``GET /api/templates/KIND.xlsx``, ``GET /api/history`` (the rounds the
caller may see, with ``--history``), ``GET /api/history/{round}`` (what changed in
one round: its findings new, still there and fixed, paged).  Every refusal is
``{"error": {"code", "message"}}`` with its status; every response carries the
security headers of :class:`SecurityHeaders`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import shutil
import tempfile
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from compliance import __version__
from compliance.web.choices import Choices, resolved
from compliance.web.history import round_for, rounds_for
from compliance.web.limits import Limits
from compliance.web.page import API_CSP, Page
from compliance.web.refusals import Refusal
from compliance.web.runner import Outcome, Runner
from compliance.web.tokens import OPEN, Identity, Tokens
from compliance.web.uploads import receive
from compliance.web.worker import Job

log = logging.getLogger("compliance.serve")

#: ``?format=`` -> (formats the worker renders, media type, download name)
FORMATS: dict[str, tuple[list[str], str, str | None]] = {
    "json": (["json"], "application/json; charset=utf-8", None),
    "html": (["html"], "text/html; charset=utf-8", "compliance-report.html"),
    "xlsx": (["xlsx"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "compliance-report.xlsx"),
    "sarif": (["sarif"], "application/sarif+json; charset=utf-8", "compliance-report.sarif"),
    "page": (["json", "html", "xlsx"], "application/json; charset=utf-8", None),
}
XLSX = FORMATS["xlsx"][1]


@dataclass
class ServeOptions:
    """How one server runs (the ``compliance serve`` options)."""

    host: str = "127.0.0.1"
    port: int = 8000
    profile: str = "default"
    tokens: str | None = None
    max_upload_mb: int = 50
    workers: int = 2
    time_limit: float = 120.0
    memory_mb: int = 1024
    queue_wait: float = 15.0
    entry_points: bool = True
    modules: list[str] = field(default_factory=list)
    #: where private upload folders are made (default: the system's temporary folder)
    temp_dir: str | None = None
    #: ``--history FILE.db``: every check is recorded there as a round
    history: str | None = None
    #: ``--curriculum NAME|FILE``: the plan a check uses when the caller picks none
    curriculum: str | None = None


def message_lang(request: Request) -> str:
    """``zh`` or ``en``: ``?lang=``, else the browser's first language, else Chinese."""
    lang = request.query_params.get("lang", "")
    if lang in ("zh", "en"):
        return lang
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh"


def refusal_response(refusal: Refusal, lang: str) -> JSONResponse:
    return JSONResponse({"error": {"code": refusal.code, "message": refusal.message(lang)}},
                        status_code=refusal.status, headers={**refusal.headers, "Cache-Control": "no-store"})


def attachment(name: str) -> str:
    """A ``Content-Disposition`` that no file name can break: ASCII fallback plus RFC 5987 UTF-8."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"


class Service:
    """The state of one server: options, limits, tokens, runner, page."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.limits = Limits(max_upload_bytes=options.max_upload_mb * 1024 * 1024)
        self.tokens = Tokens.load(options.tokens) if options.tokens else None
        self.history = str(Path(options.history).resolve()) if options.history else None
        if self.history:
            from compliance.rounds.history import History

            with History(self.history):  # made (or found unusable) now, not at the first upload
                pass
        self.choices = Choices.of(options.profile, options.curriculum, options.entry_points,
                                   list(options.modules))
        self.runner = Runner(options.workers, options.time_limit, options.memory_mb, options.queue_wait,
                             profiles=sorted(set(self.choices.profiles.values())),
                             entry_points=options.entry_points, modules=list(options.modules),
                             curriculum=resolved(options.curriculum))
        self.page = Page()
        self.temp_root: Path | None = None

    # -- who is calling ----------------------------------------------------------

    def identify(self, request: Request) -> Identity:
        """The caller; raises 401 when tokens are on and the header is missing or wrong."""
        if self.tokens is None:
            return OPEN
        header = request.headers.get("authorization")
        if not header:
            raise Refusal("token_missing")
        who = self.tokens.identify(header)
        if who is None:
            raise Refusal("token_wrong")
        return who

    # -- routes ------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        return Response(self.page.html, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": self.page.csp, "Cache-Control": "no-cache"})

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__, "workers": self.runner.workers,
                             "running": self.runner.running, "waiting": self.runner.waiting},
                            headers={"Cache-Control": "no-store"})

    async def api_options(self, request: Request) -> Response:
        who = self.identify(request)
        templates = _templates()
        return JSONResponse({
            "version": __version__,
            "identity": {"role": who.role, "school": who.school},
            "auth": self.tokens is not None,
            "profiles": [{"name": name, "title": self.choices.titles.get(name, {}),
                          "curriculum": self.choices.plan_of.get(name)}
                         for name in sorted(self.choices.profiles)],
            "profile": self.choices.default,
            "curricula": [{"name": name, "title": self.choices.plan_titles.get(name, {})}
                          for name in sorted(self.choices.plans)],
            "curriculum": self.choices.plan_of.get(self.choices.default),
            "history": self.history is not None,
            "formats": sorted(FORMATS),
            "templates": templates.template_kinds(self.choices.kinds or None) if templates else [],
            "limits": {"max_upload_mb": self.options.max_upload_mb, "max_files": self.limits.max_files,
                       "time_limit_s": self.options.time_limit},
        }, headers={"Cache-Control": "no-store"})

    async def api_check(self, request: Request) -> Response:
        who = self.identify(request)
        lang = message_lang(request)
        fmt = request.query_params.get("format", "json")
        if fmt not in FORMATS:
            raise Refusal("bad_option", name="format", value=fmt[:40], allowed=", ".join(FORMATS))
        profile = request.query_params.get("profile") or self.choices.default
        if profile not in self.choices.profiles:
            raise Refusal("bad_option", name="profile", value=profile[:40],
                          allowed=", ".join(sorted(self.choices.profiles)))
        asked = request.query_params.get("curriculum") or None
        if asked is not None and asked not in self.choices.plans:  # a name; a path is never taken
            raise Refusal("bad_option", name="curriculum", value=asked[:40],
                          allowed=", ".join(sorted(self.choices.plans)))
        assert self.temp_root is not None
        job_dir = Path(tempfile.mkdtemp(prefix="check-", dir=self.temp_root))
        try:
            upload = await receive(request.headers.get("content-type", ""),
                                   request.headers.get("content-length"), request.stream(), job_dir,
                                   self.limits)
            out = job_dir / "out"
            out.mkdir()
            formats, media, download = FORMATS[fmt]
            job = Job(cwd=str(upload.root), path=upload.folder, out=str(out),
                      profile=self.choices.profiles[profile], lang=lang, formats=formats,
                      entry_points=self.options.entry_points, modules=list(self.options.modules),
                      history=self.history, curriculum=self.choices.plan_for(profile, asked))
            outcome = await self._run_unless_disconnected(request, job, job_dir)
            if outcome is None:  # the client went away: nothing to answer
                return Response(status_code=499)
        finally:
            shutil.rmtree(job_dir, ignore_errors=True)
        if not who.inspector:
            others = [s for s in outcome.schools if s != who.school]
            if others:
                raise Refusal("other_school", own=who.school, others=", ".join(others[:10]))
        return _report_response(fmt, outcome, media, download, lang)

    async def _run_unless_disconnected(self, request: Request, job: Job, job_dir: Path) -> Outcome | None:
        """Run the check; stop the worker (and answer ``None``) if the client disconnects first."""
        result: list[Outcome | Refusal] = []

        async def work(scope: anyio.CancelScope) -> None:
            try:
                result.append(await self.runner.run(job, job_dir))
            except Refusal as refusal:
                result.append(refusal)
            scope.cancel()

        async def watch(scope: anyio.CancelScope) -> None:
            while (await request.receive())["type"] != "http.disconnect":
                pass
            scope.cancel()

        async with anyio.create_task_group() as group:
            group.start_soon(work, group.cancel_scope)
            group.start_soon(watch, group.cancel_scope)
        if not result:
            log.info("client disconnected; check stopped and upload removed")
            return None
        if isinstance(result[0], Refusal):
            raise result[0]
        return result[0]

    async def api_history(self, request: Request) -> Response:
        who = self.identify(request)
        if self.history is None:
            raise Refusal("no_history")
        school = request.query_params.get("school") or None
        rounds = await anyio.to_thread.run_sync(rounds_for, self.history, who, school)
        return JSONResponse(rounds, headers={"Cache-Control": "no-store"})

    async def api_history_round(self, request: Request) -> Response:
        who = self.identify(request)
        if self.history is None:
            raise Refusal("no_history")
        query = request.query_params
        changes = await anyio.to_thread.run_sync(
            round_for, self.history, who, query.get("school") or None, request.path_params["round"],
            query.get("state") or None, query.get("offset"), query.get("limit"))
        return JSONResponse(changes, headers={"Cache-Control": "no-store"})

    async def api_template(self, request: Request) -> Response:
        self.identify(request)
        lang = message_lang(request)
        name = request.path_params["name"]
        templates = _templates()
        if templates is None:
            raise Refusal("no_templates")
        kinds = list(templates.template_kinds(self.choices.kinds or None))
        kind = name[:-5] if name.lower().endswith(".xlsx") else name
        if kind != "all" and kind not in kinds:
            raise Refusal("unknown_template", kind=kind[:40], allowed=", ".join([*kinds, "all"]))
        data = templates.build_template(kinds if kind == "all" else [kind], lang,
                                        self.choices.kinds or None)
        return Response(data, media_type=XLSX,
                        headers={"Content-Disposition": attachment(f"template-{kind}.xlsx"),
                                 "Cache-Control": "no-store"})


def _templates() -> Any:
    """The blank-templates module (``compliance template``), or ``None`` in a version without it."""
    try:
        from compliance.outputs import templates  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    if not hasattr(templates, "template_kinds") or not hasattr(templates, "build_template"):
        return None
    return templates


def _report_response(fmt: str, outcome: Outcome, media: str, download: str | None, lang: str) -> Response:
    headers = {"Cache-Control": "no-store"}
    if fmt == "page":
        body = json.dumps({
            "report": json.loads(outcome.outputs["json"]),
            "html": outcome.outputs["html"].decode("utf-8"),
            "xlsx": base64.b64encode(outcome.outputs["xlsx"]).decode("ascii"),
            "lang": lang,
            "schools": outcome.schools,  # every school id with rows (the JSON report lists findings)
        }, ensure_ascii=False).encode("utf-8")
        return Response(body, media_type=media, headers=headers)
    if download:
        headers["Content-Disposition"] = attachment(download)
    return Response(outcome.outputs[fmt], media_type=media, headers=headers)


class SecurityHeaders:
    """ASGI middleware: the headers every response carries (a page sets its own CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", API_CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Cross-Origin-Resource-Policy"] = "same-origin"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _guard(service: Service, endpoint: Callable[[Request], Awaitable[Response]],
           ) -> Callable[[Request], Awaitable[Response]]:
    """Turn a :class:`Refusal` into its JSON answer; anything else into a 500 without a traceback."""

    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Refusal as refusal:
            return refusal_response(refusal, message_lang(request))
        except ClientDisconnect:
            return Response(status_code=499)
        except Exception:
            log.exception("internal error in %s", request.url.path)
            return refusal_response(Refusal("worker_failed", reason="internal error"), message_lang(request))

    return guarded


def create_app(options: ServeOptions | None = None) -> Starlette:
    """The ASGI app for ``options`` (raises ``ComplianceError`` for a bad profile or tokens file)."""
    service = Service(options or ServeOptions())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        base = service.options.temp_dir
        service.temp_root = Path(tempfile.mkdtemp(prefix="compliance-serve-", dir=base))
        try:
            async with service.runner.serve():
                yield
        finally:
            shutil.rmtree(service.temp_root, ignore_errors=True)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        lang = message_lang(request)
        path = request.url.path[:100]
        if exc.status_code == 405:
            return refusal_response(Refusal("method", path=path, method=request.method), lang)
        return refusal_response(Refusal("not_found", path=path), lang)

    routes = [
        Route("/", _guard(service, service.index), methods=["GET"]),
        Route("/healthz", _guard(service, service.healthz), methods=["GET"]),
        Route("/api/options", _guard(service, service.api_options), methods=["GET"]),
        Route("/api/check", _guard(service, service.api_check), methods=["POST"]),
        Route("/api/templates/{name}", _guard(service, service.api_template), methods=["GET"]),
        Route("/api/history", _guard(service, service.api_history), methods=["GET"]),
        Route("/api/history/{round}", _guard(service, service.api_history_round), methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: not_found})
    app.add_middleware(SecurityHeaders)
    app.state.service = service
    return app

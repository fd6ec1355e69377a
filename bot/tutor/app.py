"""The tutor dashboard web app (aiohttp + Jinja2). Every page and API needs a tutor session,
except the sign-in page and the static CSS/JS."""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from typing import Any, Dict, Optional, Tuple
from urllib.parse import quote, urlencode

from aiohttp import web

from bot.domain.assessment.rubrics import pass_mark, vocabulary
from bot.domain.scenarios import default_library
from bot.tutor import auth, exports, indexer, learners, queries, records, report
from bot.tutor.db import MODEL_IDS, describe, make_engine
from bot.tutor.render import STATIC, environment
from bot.tutor.view import attempt_view, breakdown_view, kpi_trend_charts, load_events, score_chart

logger = logging.getLogger("coach.dashboard")

SESSION_COOKIE = "coach_tutor_session"
LOGIN_CSRF_COOKIE = "coach_login_csrf"
ENGINE = web.AppKey("engine", object)
LIBRARY = web.AppKey("library", object)
INDEXING = web.AppKey("indexing", object)
OPTIONS = web.AppKey("options", object)
SYNC_EVERY = 5.0
PUBLIC_PATHS = ("/login",)
READY_MARK = "complaint-coach tutor sign-in"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _engine(request: web.Request):
    return request.app[ENGINE]


async def _db(func, *args, **kwargs):
    return await asyncio.to_thread(func, *args, **kwargs)


def _render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    session: Optional[auth.TutorSession] = request.get("tutor_session")
    context.setdefault("tutor", session.tutor.name if session else None)
    context.setdefault("csrf", session.csrf if session else "")
    context.setdefault("nav", "")
    body = environment().get_template(template).render(**context)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def _error(request: web.Request, status: int, message: str) -> web.Response:
    if request.path.startswith("/api/"):
        return web.json_response({"error": message}, status=status)
    return _render(request, "error.html", status=status, message=message, status_code=status)


# -- middleware ---------------------------------------------------------------------------------
def _add_headers(request: web.Request, headers) -> None:
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def security_headers(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _add_headers(request, exc.headers)
        raise
    _add_headers(request, response.headers)
    return response


@web.middleware
async def require_tutor(request: web.Request, handler):
    """Every route but sign-in and static files needs a tutor session; every POST a CSRF token."""
    if request.path in PUBLIC_PATHS or request.path.startswith("/static/"):
        return await handler(request)
    session = await _db(auth.load_session, _engine(request), request.cookies.get(SESSION_COOKIE))
    if session is None:
        if request.method == "GET" and not request.path.startswith("/api/"):
            raise web.HTTPSeeOther("/login?next=" + quote(request.path_qs, safe=""))
        return web.json_response({"error": "sign in as a tutor first"}, status=401)
    request["tutor_session"] = session
    if request.method not in ("GET", "HEAD"):
        supplied = request.headers.get("X-CSRF-Token")
        if supplied is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            supplied = (await request.post()).get("csrf_token")
        if not auth.same_token(supplied, session.csrf):
            return _error(
                request,
                403,
                "This form has expired or did not come from the dashboard "
                "(missing or wrong CSRF token). Reload the page and try again.",
            )
    return await handler(request)


# -- sign-in ------------------------------------------------------------------------------------
def _safe_next(value: Optional[str]) -> str:
    value = value or ""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/conversations"


def _secure(request: web.Request) -> bool:
    return request.secure


async def login_page(request: web.Request, message: str = "", status: int = 200, name: str = "") -> web.Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(32)
    next_url = request.query.get("next", "")
    if request.method == "POST":
        next_url = (await request.post()).get("next", "")
    response = _render(
        request,
        "login.html",
        status=status,
        login_csrf=token,
        message=message,
        next=_safe_next(next_url),
        name=name,
        ready_mark=READY_MARK,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Lax", path="/login", secure=_secure(request), max_age=3600
    )
    return response


async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    name = str(form.get("name", "")).strip()[:100]
    password = str(form.get("password", ""))[:1000]
    if not auth.same_token(form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return await login_page(request, "The sign-in form expired. Please try again.", status=403, name=name)
    engine = _engine(request)
    address = request.remote or "unknown"
    if await _db(auth.login_blocked, engine, name, address):
        return await login_page(
            request, "Too many failed sign-ins. Wait 15 minutes and try again.", status=429, name=name
        )
    tutor = await _db(auth.check_login, engine, name, password, address)
    if tutor is None:
        return await login_page(request, "Wrong name or password.", status=401, name=name)
    token, _session = await _db(auth.start_session, engine, tutor)
    response = web.HTTPSeeOther(_safe_next(str(form.get("next", ""))))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        path="/",
        secure=_secure(request),
        max_age=auth.SESSION_SECONDS,
    )
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


async def logout(request: web.Request) -> web.Response:
    await _db(auth.end_session, _engine(request), request.cookies.get(SESSION_COOKIE))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


# -- pages --------------------------------------------------------------------------------------
async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/conversations")


def _page_number(request: web.Request) -> int:
    try:
        return max(1, int(request.query.get("page", "1")))
    except ValueError:
        return 1


class OptionsCache:
    """The filters' choices (distinct values in the index), refreshed when the index changes."""

    def __init__(self, max_age: float = 30.0):
        self.value: Optional[Dict[str, Any]] = None
        self.at = 0.0
        self.max_age = max_age
        self.lock = threading.Lock()

    def get(self, db, stale: bool = False) -> Dict[str, Any]:
        with self.lock:
            if stale or self.value is None or time.monotonic() - self.at > self.max_age:
                self.value, self.at = queries.options(db), time.monotonic()
            return self.value

    def clear(self) -> None:
        with self.lock:
            self.value = None


def _list_data(engine, filters: queries.Filters, page: int, cache: OptionsCache) -> Dict[str, Any]:
    changed = indexer.sync(engine)
    with engine.connect() as db:
        return {"result": queries.list_page(db, filters, page), "options": cache.get(db, stale=changed > 0)}


async def _filtered_page(request: web.Request, load) -> Tuple[queries.Filters, Dict]:
    """The filters of the query and ``load``'s page for them. A filter that does not parse
    shows the first page unfiltered, with the error, instead of failing the page."""
    filters = queries.Filters.from_query(request.query)
    try:
        data = await _db(load, _engine(request), filters, _page_number(request), request.app[OPTIONS])
    except queries.FilterError as exc:
        filters = queries.Filters()
        data = await _db(load, _engine(request), filters, 1, request.app[OPTIONS])
        data["error"] = str(exc)
    return filters, data


def _scenario_titles(request: web.Request) -> Dict[str, str]:
    return {sid: s.title for sid, s in request.app[LIBRARY].scenarios.items()}


async def conversation_list(request: web.Request) -> web.Response:
    filters, data = await _filtered_page(request, _list_data)
    return _render(
        request,
        "list.html",
        nav="conversations",
        filters=filters,
        titles=_scenario_titles(request),
        export_query=filters.query_string(),
        **data,
    )


async def api_conversations(request: web.Request) -> web.Response:
    filters = queries.Filters.from_query(request.query)
    try:
        data = await _db(_list_data, _engine(request), filters, _page_number(request), request.app[OPTIONS])
    except queries.FilterError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(data["result"])


def _attempt_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound()


def _conversation_data(engine, attempt_id: int, library) -> Optional[Dict[str, Any]]:
    indexer.sync(engine)
    with engine.connect() as db:
        row = queries.attempt_row(db, attempt_id)
        if row is None:
            return None
        event_list = load_events(db, row["sender_id"])
        trail = queries.audit(db, attempt_id)
        others = queries.siblings(db, row["sender_id"])
    view = attempt_view(row["sender_id"], row["attempt"], event_list, library, row["scorecard"])
    view["breakdown"] = breakdown_view(view["scorecard"], row)
    words = vocabulary()
    trail["overrides"] = [dict(o, **records.describe_override(o, words)) for o in trail["overrides"]]
    return {"row": row, "view": view, "audit": trail, "siblings": others}


async def conversation(request: web.Request, message: str = "", status: int = 200) -> web.Response:
    attempt_id = _attempt_id(request)
    data = await _db(_conversation_data, _engine(request), attempt_id, request.app[LIBRARY])
    if data is None:
        return _error(request, 404, "No such conversation.")
    known = records.known_flags()
    return _render(
        request,
        "conversation.html",
        status=status,
        nav="conversations",
        message=message,
        addable=[f for f in known if f not in data["row"]["flags"]],
        **data,
    )


async def add_comment(request: web.Request) -> web.Response:
    attempt_id = _attempt_id(request)
    form = await request.post()
    session: auth.TutorSession = request["tutor_session"]
    try:
        await _db(records.add_comment, _engine(request), attempt_id, session.tutor.name, str(form.get("text", "")))
    except records.RecordError as exc:
        return await conversation(request, str(exc), status=400)
    raise web.HTTPSeeOther(f"/conversations/{attempt_id}#comments")


async def add_override(request: web.Request) -> web.Response:
    attempt_id = _attempt_id(request)
    form = await request.post()
    session: auth.TutorSession = request["tutor_session"]
    try:
        await _db(
            records.override,
            _engine(request),
            attempt_id,
            session.tutor.name,
            str(form.get("kind", "")),
            str(form.get("value", "")),
            str(form.get("reason", "")),
        )
    except records.RecordError as exc:
        return await conversation(request, str(exc), status=400)
    request.app[OPTIONS].clear()  # a flag may now appear in (or vanish from) the flag filter
    raise web.HTTPSeeOther(f"/conversations/{attempt_id}#review")


def _report(engine, attempt_id: int, library, fmt: str):
    indexer.sync(engine)
    with engine.connect() as db:
        row = queries.attempt_row(db, attempt_id)
    if row is None:
        return None, None
    return row, report.render(engine, row["sender_id"], library, fmt, attempt=row["attempt"])


async def conversation_report(request: web.Request) -> web.Response:
    fmt = request.match_info["fmt"]
    row, text = await _db(_report, _engine(request), _attempt_id(request), request.app[LIBRARY], fmt)
    if row is None:
        return _error(request, 404, "No such conversation.")
    name = f"coach-report-{_file_part(row['sender_id'])}-{row['attempt']}.{fmt}"
    response = web.Response(text=text, content_type="text/markdown" if fmt == "md" else "text/html", charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


def _file_part(value: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in value)[:60] or "conversation"


def _cohort_data(engine, filters: queries.Filters, page: int, cache: OptionsCache) -> Dict[str, Any]:
    changed = indexer.sync(engine)
    with engine.connect() as db:
        data = queries.cohort(db, filters, page)
        data["options"] = cache.get(db, stale=changed > 0)
    mark = pass_mark()
    for learner in data["learners"]:
        learner["chart"] = score_chart(learner["points"], mark)
    data["pass_mark"] = mark
    data["kpi_charts"] = kpi_trend_charts(data["kpi_trend"])
    return data


async def cohort(request: web.Request) -> web.Response:
    filters, data = await _filtered_page(request, _cohort_data)
    return _render(
        request,
        "cohort.html",
        nav="cohort",
        filters=filters,
        titles=_scenario_titles(request),
        models=list(MODEL_IDS),
        **data,
    )


def _export(engine, fmt: str, filters: queries.Filters, since: Optional[float], library, messages: bool) -> str:
    indexer.sync(engine)
    with engine.connect() as db:
        return exports.export(db, fmt, filters, since, library, messages=messages)


async def export(request: web.Request) -> web.Response:
    """A download; ``/export.csv?messages=1`` is the transcripts' CSV, one row per line."""
    fmt = request.match_info["fmt"]
    filters = queries.Filters.from_query(request.query)
    messages = fmt == "csv" and request.query.get("messages") == "1"
    try:
        since = exports.parse_since(request.query.get("since"))
        text = await _db(_export, _engine(request), fmt, filters, since, request.app[LIBRARY], messages)
    except (ValueError, queries.FilterError) as exc:
        return _error(request, 400, str(exc))
    response = web.Response(text=text, content_type=exports.CONTENT_TYPES[fmt].split(";")[0], charset="utf-8")
    name = exports.MESSAGES_FILE_NAME if messages else exports.FILE_NAMES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- learners: names and merges ---------------------------------------------------------------------
def _learners_data(engine, filters: queries.Filters, page: int, cache: OptionsCache) -> Dict[str, Any]:
    changed = indexer.sync(engine)
    with engine.connect() as db:
        return {"result": queries.learner_page(db, filters, page), "options": cache.get(db, stale=changed > 0)}


async def learner_list(request: web.Request) -> web.Response:
    filters, data = await _filtered_page(request, _learners_data)
    return _render(request, "learners.html", nav="learners", filters=filters, titles=_scenario_titles(request), **data)


def _person(engine, learner_id: str) -> Optional[Dict[str, Any]]:
    indexer.sync(engine)
    with engine.connect() as db:
        return learners.person(db, learner_id)


async def learner(request: web.Request, message: str = "", status: int = 200) -> web.Response:
    learner_id = request.query.get("id", "")
    if request.method == "POST":
        learner_id = str((await request.post()).get("id", ""))
    found = await _db(_person, _engine(request), learner_id)
    if found is None:
        return _error(request, 404, "No such learner.")
    return _render(request, "learner.html", status=status, nav="learners", person=found, message=message)


async def change_learner(request: web.Request) -> web.Response:
    """The rename, merge and un-merge forms of the learner page."""
    form = await request.post()
    session: auth.TutorSession = request["tutor_session"]
    action = request.match_info["action"]
    learner_id, reason = str(form.get("id", "")), str(form.get("reason", ""))
    try:
        if action == "rename":
            await _db(
                learners.rename, _engine(request), learner_id, session.tutor.name, str(form.get("name", "")), reason
            )
        elif action == "merge":
            other = str(form.get("other", "")).strip()
            await _db(learners.merge, _engine(request), other, learner_id, session.tutor.name, reason)
        else:
            await _db(learners.unmerge, _engine(request), learner_id, session.tutor.name, reason)
    except learners.LearnerError as exc:
        return await learner(request, str(exc), status=400)
    target = str(form.get("back") or learner_id)
    raise web.HTTPSeeOther("/learner?" + urlencode({"id": target}))


# -- the app ------------------------------------------------------------------------------------
async def _keep_indexed(app: web.Application) -> None:
    while True:
        try:
            if await _db(indexer.sync, app[ENGINE]):
                app[OPTIONS].clear()
        except Exception:  # the database may be briefly locked or not created yet; try again later
            logger.exception("indexing the tracker store failed; retrying")
        await asyncio.sleep(SYNC_EVERY)


async def _start_indexing(app: web.Application) -> None:
    app[INDEXING] = asyncio.get_running_loop().create_task(_keep_indexed(app))


async def _stop_indexing(app: web.Application) -> None:
    task = app.get(INDEXING)
    if task:
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass
    app[ENGINE].dispose()


def create_app(database_url: Optional[str] = None, library=None, background_index: bool = True) -> web.Application:
    if library is None:
        library = default_library()
    app = web.Application(middlewares=[security_headers, require_tutor], client_max_size=256 * 1024)
    app[ENGINE] = make_engine(database_url)
    app[LIBRARY] = library
    app[OPTIONS] = OptionsCache()
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", home)
    app.router.add_get("/conversations", conversation_list)
    app.router.add_get(r"/conversations/{id:\d+}", conversation)
    app.router.add_post(r"/conversations/{id:\d+}/comments", add_comment)
    app.router.add_post(r"/conversations/{id:\d+}/overrides", add_override)
    app.router.add_get(r"/conversations/{id:\d+}/report.{fmt:md|html}", conversation_report)
    app.router.add_get("/cohort", cohort)
    app.router.add_get("/learners", learner_list)
    app.router.add_get("/learner", learner)
    app.router.add_post(r"/learner/{action:rename|merge|unmerge}", change_learner)
    app.router.add_get(r"/export.{fmt:csv|json|xapi}", export)
    app.router.add_get("/api/conversations", api_conversations)
    app.router.add_static("/static/", STATIC, show_index=False)
    if background_index:
        app.on_startup.append(_start_indexing)
    app.on_cleanup.append(_stop_indexing)
    return app


def run(host: str = "127.0.0.1", port: int = 5080, database_url: Optional[str] = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app(database_url)
    logger.info("tutor dashboard on http://%s:%s (database %s)", host, port, describe(str(app[ENGINE].url)))
    web.run_app(app, host=host, port=port, print=None, access_log=None, handle_signals=True)

"""Starting and stopping the action server and the Rasa server as child processes."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

from bot.settings import PROJECT_ROOT, settings

READY_TIMEOUT = settings().ready_timeout
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
TOKEN_FILE = PROJECT_ROOT / "var" / "api-token"
WEB_SECRET_FILE = PROJECT_ROOT / "var" / "web-secret"
WEB_CHAT_PATH = "/webhooks/webchat/"
_ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe token that never starts with "-", so it can follow a flag on a command line.

    ``secrets.token_urlsafe`` starts with "-" one time in 64, and ``coach play --token -x...``
    then reads the token as an unknown option.
    """
    value = secrets.token_urlsafe(nbytes)
    while value.startswith("-"):
        value = secrets.token_urlsafe(nbytes)
    return value


def _saved_secret(configured: Optional[str], path: Path, create: bool) -> Optional[str]:
    """The configured value, else the secret saved in ``path`` (made when ``create``)."""
    value = configured
    if value:
        return value
    if path.is_file():
        return path.read_text().strip() or None
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    value = new_token(32)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def api_token(create: bool = False) -> Optional[str]:
    """COACH_API_TOKEN, else the token saved in var/api-token (made when ``create``)."""
    return _saved_secret(settings().api_token, TOKEN_FILE, create)


def web_secret(create: bool = False) -> Optional[str]:
    """COACH_WEB_SECRET (signs web chat cookies), else the one saved in var/web-secret (made when ``create``)."""
    return _saved_secret(settings().web_secret, WEB_SECRET_FILE, create)


def effective_credentials(env: dict, source: Path = CREDENTIALS) -> Tuple[str, List[str]]:
    """The channels of credentials.yml whose ${VARIABLES} are all set, and notes on the others."""
    text = source.read_text(encoding="utf-8")
    blocks: List[Tuple[str, List[str]]] = []
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            blocks.append((line, []))
        elif blocks:
            blocks[-1][1].append(line)
    kept, notes = [], []
    for header, body in blocks:
        missing = sorted({v for v in _ENV_VAR.findall("\n".join(body)) if not env.get(v)})
        if missing:
            notes.append(f"channel {header.rstrip(':')} is off: set {', '.join(missing)}")
            continue
        kept.append("\n".join([header] + body))
    return "\n".join(kept) + "\n", notes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 2.0) -> Optional[str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError):
        return None


def child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _yaml_block(key: str, settings: dict) -> str:
    """An endpoints.yml section; values are written as JSON, which YAML reads as is, except
    ``${VARIABLE}`` references (secrets), which Rasa reads from its environment."""
    import json

    def render(value):  # a ${VARIABLE} stays plain, so that Rasa fills it in from its environment
        return value if isinstance(value, str) and _ENV_VAR.fullmatch(value) else json.dumps(value)

    return f"{key}:\n" + "".join(f"  {name}: {render(value)}\n" for name, value in settings.items())


def _sqlite_wal(db: Path) -> None:
    """Put the SQLite tracker file in write-ahead-log mode (kept by the file): readers no longer
    wait for a writer, and a commit is one append to the log."""
    import sqlite3

    try:
        with sqlite3.connect(str(db), timeout=5) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error:
        pass  # an unwritable file: Rasa reports it, and the REST channel answers with a clear error


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host if host not in ("", "0.0.0.0") else "0.0.0.0", port))
        except OSError:
            return False
    return True


def tracker_store_from_url(url: str) -> dict:
    """Rasa's SQL tracker store settings for a database URL (postgresql://user:pw@host:port/db, sqlite:///path)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    dialect = parsed.get_backend_name()
    if dialect == "sqlite":
        return {"type": "SQL", "dialect": "sqlite", "db": str(Path(parsed.database or "var/coach.db").resolve())}
    # Rasa reads the host of a tracker store from "url".
    settings = {
        "type": "SQL",
        "dialect": parsed.drivername,
        "url": parsed.host or "localhost",
        "port": parsed.port or 5432,
        "db": parsed.database or "coach",
    }
    if parsed.username:
        settings["username"] = parsed.username
    if parsed.password:
        settings["password"] = parsed.password
    return settings


def url_from_tracker_store(settings: dict) -> Optional[str]:
    """The database URL of an SQL tracker store's settings (None for Redis, Mongo...)."""
    if str(settings.get("type", "")).lower() != "sql":
        return None
    from sqlalchemy.engine import URL

    dialect = settings.get("dialect", "sqlite")
    if dialect == "sqlite":
        return "sqlite:///" + str(Path(settings.get("db") or "rasa.db").resolve())
    return URL.create(
        dialect,
        username=settings.get("username"),
        password=settings.get("password"),
        host=settings.get("url") or settings.get("host"),
        port=settings.get("port"),
        database=settings.get("db"),
    ).render_as_string(hide_password=False)


@dataclass
class Servers:
    """The coach's two processes. ``tracker_db`` is a SQLite file, or None for memory."""

    rasa_port: int = 5005
    actions_port: int = 5055
    model: Path = PROJECT_ROOT / "models" / "coach.tar.gz"
    tracker_db: Optional[Path] = PROJECT_ROOT / "var" / "coach.db"
    log_dir: Path = PROJECT_ROOT / "var" / "log"
    host: str = "127.0.0.1"
    token: Optional[str] = None
    # Scale-out and tuning (issue 8): a tracker store / lock store given as endpoint settings
    # (e.g. {"type": "SQL", "dialect": "postgresql", ...}, {"type": "redis", ...}) replace the
    # SQLite file / Rasa's in-memory lock store; action_workers is the action server's Sanic workers.
    tracker_store: Optional[dict] = None
    lock_store: Optional[dict] = None
    action_workers: int = 1
    processes: List[subprocess.Popen] = field(default_factory=list)
    channel_notes: List[str] = field(default_factory=list)
    web_secret: Optional[str] = None
    # Tutor dashboard (issue 7): a third process on its own port (None or 0: not started), reading the
    # same database as Rasa. database_url (COACH_DATABASE_URL, e.g. postgresql://user:pw@host/db) puts
    # Rasa's tracker store there instead of the SQLite file.
    dashboard_port: Optional[int] = field(default_factory=lambda: settings().dashboard_port)
    database_url: Optional[str] = field(default_factory=lambda: settings().database_url)
    dashboard_process: Optional[subprocess.Popen] = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        """The learner's chat page (the web chat channel of the Rasa server)."""
        host = "localhost" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.rasa_port}{WEB_CHAT_PATH}"

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    def endpoints_file(self) -> Path:
        lines = [
            f'action_endpoint:\n  url: "http://{self.host}:{self.actions_port}/webhook"\n'
            "  enable_selective_domain: true\n"  # the action code never reads the domain: don't send it
        ]
        if self.tracker_store is not None:
            lines.append(_yaml_block("tracker_store", self.tracker_store))
        elif self.tracker_db is not None and self.database_url:
            lines.append(_yaml_block("tracker_store", tracker_store_from_url(self.database_url)))
        elif self.tracker_db is not None:
            Path(self.tracker_db).parent.mkdir(parents=True, exist_ok=True)
            _sqlite_wal(Path(self.tracker_db))
            lines.append(
                f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{Path(self.tracker_db).resolve()}"\n'
            )
        if self.lock_store is not None:
            lines.append(_yaml_block("lock_store", self.lock_store))
        handle, name = tempfile.mkstemp(prefix="coach-endpoints-", suffix=".yml")
        with os.fdopen(handle, "w") as out:
            out.write("\n".join(lines))
        return Path(name)

    def start_actions(self) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"actions-{self.actions_port}.log", "ab")
        env = child_env()
        env["ACTION_SERVER_SANIC_WORKERS"] = str(self.action_workers)
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def rasa_env(self) -> dict:
        env = child_env()
        self.token = self.token or api_token(create=True)
        env["COACH_API_TOKEN"] = self.token
        self.web_secret = self.web_secret or web_secret(create=True)
        env["COACH_WEB_SECRET"] = self.web_secret
        return env

    def credentials_file(self, env: dict) -> Path:
        text, self.channel_notes = effective_credentials(env)
        handle, name = tempfile.mkstemp(prefix="coach-credentials-", suffix=".yml")
        with os.fdopen(handle, "w") as out:
            out.write(text)
        return Path(name)

    def start_rasa(self) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"rasa-{self.rasa_port}.log", "ab")
        env = self.rasa_env()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rasa",
                "run",
                "--model",
                str(self.model),
                "--port",
                str(self.rasa_port),
                "--interface",
                self.host,
                "--endpoints",
                str(self.endpoints_file()),
                "--credentials",
                str(self.credentials_file(env)),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def start(self) -> "Servers":
        if not Path(self.model).is_file():
            raise FileNotFoundError(f"no trained model at {self.model}; run `make model` first")
        self.start_actions()
        self.start_rasa()
        self.start_dashboard()
        self.wait_ready()
        return self

    def dashboard_database(self) -> Optional[str]:
        """The database the dashboard reads: Rasa's tracker store when it is an SQL one, else None."""
        if self.tracker_store is not None:
            return url_from_tracker_store(self.tracker_store)
        if self.tracker_db is None:
            return None
        if self.database_url:
            return self.database_url
        return "sqlite:///" + str(Path(self.tracker_db).resolve())

    @property
    def dashboard_url(self) -> Optional[str]:
        if self.dashboard_process is None:
            return None
        host = "localhost" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.dashboard_port}/"

    def start_dashboard(self) -> Optional[subprocess.Popen]:
        """The tutor dashboard (``coach dashboard``), when there is a database for it to read."""
        database = self.dashboard_database()
        if not self.dashboard_port or database is None:
            return None
        if not _port_free(self.host, self.dashboard_port):
            busy, self.dashboard_port = self.dashboard_port, free_port()
            self.channel_notes.append(f"port {busy} is busy, so the tutor dashboard is on port {self.dashboard_port}")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"dashboard-{self.dashboard_port}.log", "ab")
        env = child_env()
        env["COACH_DATABASE_URL"] = database
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "dashboard", "--port", str(self.dashboard_port), "--host", self.host],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        self.dashboard_process = process
        return process

    def dashboard_ready(self) -> bool:
        if self.dashboard_process is None:
            return True
        return "complaint-coach tutor sign-in" in (_get(f"http://{self.host}:{self.dashboard_port}/login") or "")

    def actions_ready(self) -> bool:
        return _get(f"http://{self.host}:{self.actions_port}/health") is not None

    def rasa_ready(self) -> bool:
        return (_get(self.url + "/") or "").startswith("Hello from Rasa")

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    self.stop()
                    raise RuntimeError(
                        f"a coach server exited during start-up (code {process.returncode}); "
                        f"see the logs in {self.log_dir}"
                    )
            if self.actions_ready() and self.rasa_ready() and self.dashboard_ready():
                return
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"the coach servers were not ready after {timeout:.0f} s; see {self.log_dir}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
        self.dashboard_process = None

    def __enter__(self) -> "Servers":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

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

from bot.scenarios.loader import PROJECT_ROOT

READY_TIMEOUT = float(os.environ.get("COACH_READY_TIMEOUT", "240"))
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
TOKEN_FILE = PROJECT_ROOT / "var" / "api-token"
_ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def api_token(create: bool = False) -> Optional[str]:
    """COACH_API_TOKEN, else the token saved in var/api-token (made when ``create``)."""
    token = os.environ.get("COACH_API_TOKEN")
    if token:
        return token
    if TOKEN_FILE.is_file():
        return TOKEN_FILE.read_text().strip() or None
    if not create:
        return None
    TOKEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    TOKEN_FILE.write_text(token + "\n")
    TOKEN_FILE.chmod(0o600)
    return token


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
    processes: List[subprocess.Popen] = field(default_factory=list)
    channel_notes: List[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    def endpoints_file(self) -> Path:
        lines = [f'action_endpoint:\n  url: "http://{self.host}:{self.actions_port}/webhook"\n']
        if self.tracker_db is not None:
            Path(self.tracker_db).parent.mkdir(parents=True, exist_ok=True)
            lines.append(f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{Path(self.tracker_db).resolve()}"\n')
        handle, name = tempfile.mkstemp(prefix="coach-endpoints-", suffix=".yml")
        with os.fdopen(handle, "w") as out:
            out.write("\n".join(lines))
        return Path(name)

    def start_actions(self) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"actions-{self.actions_port}.log", "ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            cwd=PROJECT_ROOT, env=child_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def rasa_env(self) -> dict:
        env = child_env()
        self.token = self.token or api_token(create=True)
        env["COACH_API_TOKEN"] = self.token
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
            [sys.executable, "-m", "rasa", "run", "--model", str(self.model), "--port", str(self.rasa_port),
             "--interface", self.host, "--endpoints", str(self.endpoints_file()),
             "--credentials", str(self.credentials_file(env))],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def start(self) -> "Servers":
        if not Path(self.model).is_file():
            raise FileNotFoundError(f"no trained model at {self.model}; run `make model` first")
        self.start_actions()
        self.start_rasa()
        self.wait_ready()
        return self

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
                    raise RuntimeError(f"a coach server exited during start-up (code {process.returncode}); "
                                       f"see the logs in {self.log_dir}")
            if self.actions_ready() and self.rasa_ready():
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

    def __enter__(self) -> "Servers":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

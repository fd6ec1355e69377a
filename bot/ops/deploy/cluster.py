"""A throwaway scaled-out coach on this machine: PostgreSQL, Redis, one action server,
N Rasa replicas (bot/ops/deploy/endpoints.scale.yml) and nginx (bot/ops/deploy/nginx.conf.template).

Everything runs as child processes on free ports under one temporary directory; the system's
own PostgreSQL, Redis and nginx services (default ports, /etc configuration) are not touched.
PostgreSQL runs as the ``postgres`` user (initdb/pg_ctl), as it refuses to run as root.
Used by ``make test-scale`` (tests/scale/).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot.ops.servers import Servers, _get, free_port, new_token

DEPLOY = Path(__file__).resolve().parent
ENDPOINTS_TEMPLATE = DEPLOY / "endpoints.scale.yml"
NGINX_TEMPLATE = DEPLOY / "nginx.conf.template"


class ClusterError(RuntimeError):
    pass


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise ClusterError("PostgreSQL is not installed (run `make test-scale`, which installs it)")
    return Path(found[-1]).parent


def _nginx() -> str:
    exe = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not exe:
        raise ClusterError("nginx is not installed (run `make test-scale`, which installs it)")
    return exe


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise ClusterError(f"{what} did not come up within {timeout:.0f} s")


class Cluster:
    def __init__(self, model: Path, replicas: int = 2, root: Optional[Path] = None):
        self.model = model
        self.root = Path(root or tempfile.mkdtemp(prefix="coach-scale-"))
        self.root.chmod(0o755)  # the postgres user must reach its data directory below
        self.log_dir = self.root / "log"
        self.log_dir.mkdir(exist_ok=True)
        self.pg_port, self.redis_port, self.nginx_port, self.actions_port = (free_port() for _ in range(4))
        self.rasa_ports = [free_port() for _ in range(replicas)]
        self.token = new_token(24)
        self.env: Dict[str, str] = {
            "COACH_ACTION_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "COACH_PG_HOST": "127.0.0.1",
            "COACH_PG_PORT": str(self.pg_port),
            "COACH_PG_DB": "coach",
            "COACH_PG_USER": "coach",
            "COACH_PG_PASSWORD": secrets.token_urlsafe(18),
            "COACH_REDIS_HOST": "127.0.0.1",
            "COACH_REDIS_PORT": str(self.redis_port),
            "COACH_REDIS_PASSWORD": secrets.token_urlsafe(18),
        }
        self.pg_data = self.root / "pg"
        self.redis: Optional[subprocess.Popen] = None
        self.nginx: Optional[subprocess.Popen] = None
        self.actions: Optional[Servers] = None
        self.replicas: List[Servers] = []

    # -- addresses ----------------------------------------------------------------------------
    @property
    def nginx_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def replica_url(self, index: int) -> str:
        return self.replicas[index].url

    @property
    def database_url(self) -> str:
        e = self.env
        return (
            f"postgresql://{e['COACH_PG_USER']}:{e['COACH_PG_PASSWORD']}@{e['COACH_PG_HOST']}:"
            f"{e['COACH_PG_PORT']}/{e['COACH_PG_DB']}"
        )

    # -- PostgreSQL ------------------------------------------------------------------------------
    def _as_postgres(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        env = {"PATH": os.environ.get("PATH", ""), "PGPASSWORD": self.env["COACH_PG_PASSWORD"], "LC_ALL": "C.UTF-8"}
        run = subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd="/",
            timeout=timeout,
        )
        if check and run.returncode != 0:
            raise ClusterError(f"{' '.join(args[:2])} failed: {(run.stderr or run.stdout).strip()[-500:]}")
        return run

    def start_postgres(self) -> None:
        pg = _pg_bin()
        pwd.getpwnam("postgres")
        self.pg_data.mkdir()
        password_file = self.root / "pg-password"
        password_file.write_text(self.env["COACH_PG_PASSWORD"] + "\n")
        uid, gid = pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid
        for path in (self.pg_data, password_file):
            os.chown(path, uid, gid)
        password_file.chmod(0o600)
        self._as_postgres(
            str(pg / "initdb"),
            "-D",
            str(self.pg_data),
            "-U",
            "coach",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={password_file}",
            "-E",
            "UTF8",
        )
        password_file.unlink()
        self.postgres_start()
        self._as_postgres(str(pg / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "coach", "coach")

    def postgres_start(self) -> None:
        pg = _pg_bin()
        self._as_postgres(
            str(pg / "pg_ctl"),
            "-D",
            str(self.pg_data),
            "-l",
            str(self.pg_data / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -k {self.pg_data} -c fsync=on",
            "start",
        )

    def postgres_stop(self) -> None:
        if (self.pg_data / "postmaster.pid").exists():
            self._as_postgres(
                str(_pg_bin() / "pg_ctl"), "-D", str(self.pg_data), "-m", "fast", "-w", "stop", check=False
            )

    def sql(self, query: str) -> List[tuple]:
        """Rows of a query against the tracker store (as the coach user, over TCP with the password)."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(sa.text(query))]
        finally:
            engine.dispose()

    # -- Redis, nginx ----------------------------------------------------------------------------
    def start_redis(self) -> None:
        exe = shutil.which("redis-server")
        if not exe:
            raise ClusterError("redis-server is not installed (run `make test-scale`, which installs it)")
        config = self.root / "redis.conf"  # the password in a file, not on the command line
        config.write_text(
            f"port {self.redis_port}\nbind 127.0.0.1\nrequirepass {self.env['COACH_REDIS_PASSWORD']}\n"
            f'save ""\nappendonly no\ndir {self.root}\ndaemonize no\n'
        )
        config.chmod(0o600)
        log = open(self.log_dir / "redis.log", "ab")
        self.redis = subprocess.Popen([exe, str(config)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.redis_port, password=self.env["COACH_REDIS_PASSWORD"])

        def up() -> bool:
            try:
                return bool(client.ping())
            except Exception:
                return False

        _wait(up, 30, "redis-server")

    def nginx_config(self) -> str:
        upstreams = "\n".join(f"        server 127.0.0.1:{port};" for port in self.rasa_ports)
        text = NGINX_TEMPLATE.read_text()
        for name, value in {
            "PREFIX": str(self.root / "nginx"),
            "UPSTREAMS": upstreams,
            "LISTEN": f"127.0.0.1:{self.nginx_port}",
        }.items():
            text = text.replace("{{" + name + "}}", value)
        return text

    def start_nginx(self) -> None:
        prefix = self.root / "nginx"
        for sub in ("", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / sub).mkdir(exist_ok=True)
            (prefix / sub).chmod(0o777)
        conf = prefix / "nginx.conf"
        conf.write_text(self.nginx_config())
        exe = _nginx()
        test = subprocess.run([exe, "-t", "-q", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
        if test.returncode != 0:
            raise ClusterError(f"nginx rejected its configuration: {test.stderr.strip()[-500:]}")
        log = open(self.log_dir / "nginx.log", "ab")
        self.nginx = subprocess.Popen(
            [exe, "-p", str(prefix), "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        _wait(lambda: (_get(self.nginx_url + "/") or "").startswith("Hello from Rasa"), 30, "nginx")

    def nginx_upstreams(self) -> List[str]:
        """The replica (host:port) that served each request, from nginx's access log."""
        log = self.root / "nginx" / "access.log"
        if not log.exists():
            return []
        return [line.split("upstream=")[1].split()[0] for line in log.read_text().splitlines() if "upstream=" in line]

    # -- the coach ---------------------------------------------------------------------------------
    def endpoint_settings(self) -> Dict[str, dict]:
        return yaml.safe_load(ENDPOINTS_TEMPLATE.read_text())

    def start_coach(self) -> None:
        settings = self.endpoint_settings()
        for _attempt in range(3):  # a free port can be taken by someone else before we bind it
            self.actions = Servers(
                actions_port=self.actions_port, model=self.model, log_dir=self.log_dir, token=self.token
            )
            process = self.actions.start_actions()
            _wait(
                lambda process=process: process.poll() is not None or self.actions.actions_ready(),
                240,
                "the action server",
            )
            if process.poll() is None:
                break
            self.actions.processes.clear()
            self.actions_port = free_port()
        else:
            raise ClusterError(f"the action server would not start; see {self.log_dir}")
        self.env["COACH_ACTION_URL"] = f"http://127.0.0.1:{self.actions_port}/webhook"
        os.environ.update(self.env)  # the replicas' Rasa fills in ${VARIABLES} from its environment
        for port in self.rasa_ports:
            replica = Servers(
                rasa_port=port,
                actions_port=self.actions_port,
                model=self.model,
                log_dir=self.log_dir,
                token=self.token,
                tracker_store=settings["tracker_store"],
                lock_store=settings["lock_store"],
            )
            if hasattr(replica, "dashboard_port"):
                replica.dashboard_port = None
            replica.start_rasa()
            self.replicas.append(replica)
        for replica in self.replicas:
            _wait(
                lambda replica=replica: replica.processes[0].poll() is not None or replica.rasa_ready(),
                300,
                f"Rasa replica on port {replica.rasa_port}",
            )
            if replica.processes[0].poll() is not None:
                raise ClusterError(f"Rasa replica on port {replica.rasa_port} exited; see {self.log_dir}")

    def start(self) -> "Cluster":
        try:
            self.start_postgres()
            self.start_redis()
            self.start_coach()
            self.start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in [self.nginx, self.redis]:
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        for servers in self.replicas + ([self.actions] if self.actions else []):
            servers.stop()
        try:
            self.postgres_stop()
        except Exception:
            pass
        for name in self.env:
            os.environ.pop(name, None)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

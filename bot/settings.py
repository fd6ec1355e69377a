"""Every ``COACH_*`` environment variable, with its default and meaning, read once per process.

This module sits below every layer (it imports only pydantic), so the domain can read the
content paths and the servers can read their ports from the same place. ``coach settings``
prints the values in force; ``docs/operations.md`` carries the table that
``settings_table()`` renders, and a test keeps the two equal.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from pydantic import BaseSettings, Field, root_validator, validator

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SECRET_FIELDS = ("api_token", "web_secret", "pg_password", "redis_password")


class Settings(BaseSettings):
    """The coach's configuration. An empty variable counts as unset."""

    # Content and the trained model.
    scenario_dir: Path = Field(PROJECT_ROOT / "data" / "scenarios", description="folder of scenario YAML files")
    course_file: Path = Field(
        PROJECT_ROOT / "data" / "course" / "course.yml", description="personas, difficulties and the course's wording"
    )
    rubric_file: Path = Field(
        PROJECT_ROOT / "data" / "course" / "rubrics.yml",
        description="assessment models, weights, flags and the pass mark",
    )
    model: Path = Field(PROJECT_ROOT / "models" / "coach.tar.gz", description="trained Rasa model archive")
    # Serving.
    host: str = Field("127.0.0.1", description="interface the servers listen on")
    rasa_port: int = Field(5005, description="Rasa server port (`coach serve`)")
    actions_port: int = Field(5055, description="action server port (`coach serve`)")
    dashboard_port: int = Field(5080, description="tutor dashboard port")
    ready_timeout: float = Field(240.0, description="seconds to wait for the servers to become ready")
    action_workers: int = Field(1, description="action server worker processes for `coach bench-load`")
    api_token: Optional[str] = Field(None, description="bearer token of the REST channel (else var/api-token)")
    web_secret: Optional[str] = Field(None, description="signs web chat cookies (else var/web-secret)")
    database_url: Optional[str] = Field(None, description="tracker and tutor database (else sqlite:///var/coach.db)")
    # Web chat and the guarded REST channel.
    web_origins: str = Field("", description="extra origins allowed to post to the web chat, comma or space separated")
    web_cookie_samesite: str = Field("Strict", description="SameSite of the web chat cookie: Strict, Lax or None")
    web_frame_ancestors: str = Field("*", description="who may embed the web chat in a frame (CSP frame-ancestors)")
    max_request_bytes: int = Field(1024 * 1024, description="largest request body the channels accept")
    lock_poll_seconds: float = Field(0.02, description="how often a waiting message polls the conversation lock")
    tracker_cache: int = Field(
        1000, description="conversations whose tracker the Rasa server keeps in memory between messages (0: off)"
    )
    # Assessment and exports.
    pass_mark: Optional[int] = Field(None, description="assessment-mode pass mark 0-100 (else the rubric file's)")
    xapi_homepage: str = Field("http://localhost:5080", description="xAPI account home page of learners")
    xapi_activity_base: str = Field("urn:complaint-coach:scenario:", description="xAPI activity id prefix")
    # Scale-out (`make test-scale`): written by `bot.ops.deploy.cluster`, read by Rasa from endpoints.scale.yml.
    action_url: Optional[str] = Field(None, description="action server URL of the Rasa replicas")
    pg_host: Optional[str] = Field(None, description="PostgreSQL host of the tracker store")
    pg_port: Optional[int] = Field(None, description="PostgreSQL port")
    pg_db: Optional[str] = Field(None, description="PostgreSQL database")
    pg_user: Optional[str] = Field(None, description="PostgreSQL user")
    pg_password: Optional[str] = Field(None, description="PostgreSQL password")
    redis_host: Optional[str] = Field(None, description="Redis host of the lock store")
    redis_port: Optional[int] = Field(None, description="Redis port")
    redis_password: Optional[str] = Field(None, description="Redis password")
    scale_tests: bool = Field(False, description="1 runs the PostgreSQL/Redis/nginx tests (`make test-scale`)")

    class Config:
        env_prefix = "COACH_"
        case_sensitive = False

    @root_validator(pre=True)
    def _empty_is_unset(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        return {key: value for key, value in values.items() if not (isinstance(value, str) and not value.strip())}

    @validator("pass_mark", pre=True)
    def _pass_mark_in_range(cls, value: Any) -> Optional[int]:
        """An unusable pass mark falls back to the rubric file's, as it always has."""
        text = str(value).strip()
        return int(text) if text.isdigit() and 0 <= int(text) <= 100 else None

    @validator("database_url")
    def _postgres_scheme(cls, value: Optional[str]) -> Optional[str]:
        if value and value.startswith("postgres://"):
            return "postgresql://" + value[len("postgres://") :]
        return value.strip() if value else value


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings in force, read from the environment once per process."""
    return Settings()


def reload_settings() -> Settings:
    """Read the environment again (tests that change a variable in-process call this)."""
    settings.cache_clear()
    return settings()


def settings_rows(current: Optional[Settings] = None) -> List[Tuple[str, str, str]]:
    """(variable, value, meaning) for every setting; secrets show as ``(set)``."""
    current = current or settings()
    rows = []
    for name, field in Settings.__fields__.items():
        value = getattr(current, name)
        shown = "(set)" if name in SECRET_FIELDS and value else ("" if value is None else str(value))
        rows.append((f"COACH_{name.upper()}", shown, field.field_info.description or ""))
    return rows


def settings_table() -> str:
    """The Markdown table of every variable with its default, as docs/operations.md shows it."""
    defaults = Settings.construct()
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for variable, _, meaning in settings_rows(defaults):
        default = Settings.__fields__[variable[len("COACH_") :].lower()].default
        shown = "" if default is None else str(default).replace(str(PROJECT_ROOT) + "/", "")
        lines.append(f"| `{variable}` | {('`' + shown + '`') if shown else '(unset)'} | {meaning} |")
    return "\n".join(lines)

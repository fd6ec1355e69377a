"""Loading and checking course content. A broken file is reported, never fatal."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Type, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.domain.law.knowledge import known_rights
from bot.domain.scenarios.schema import Course, Scenario
from bot.settings import settings

SCENARIO_DIR = settings().scenario_dir
COURSE_FILE = settings().course_file

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class ContentError:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f" field '{self.field}'" if self.field else ""
        return f"{self.file}:{where} {self.message}"


def _location(loc: Tuple) -> str:
    return ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in loc).replace(".[", "[")


def load_model(path: Path, model: Type[Model]) -> Tuple[Optional[Model], List[ContentError]]:
    """Parse one YAML file into ``model``; errors name the file and the field."""
    name = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [ContentError(name, "", f"cannot be read: {exc.strerror or exc}")]
    except UnicodeDecodeError:
        return None, [ContentError(name, "", "is not UTF-8 text")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return None, [ContentError(name, "", f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}")]
    if not isinstance(raw, dict):
        return None, [ContentError(name, "", "must be a YAML mapping at the top level")]
    try:
        return model.parse_obj(raw), []
    except ValidationError as exc:
        return None, [ContentError(name, _location(err["loc"]), err["msg"]) for err in exc.errors()]


@dataclass
class Library:
    scenarios: Dict[str, Scenario] = field(default_factory=dict)
    course: Optional[Course] = None
    errors: List[ContentError] = field(default_factory=list)

    def scenario(self, scenario_id: str) -> Scenario:
        if scenario_id not in self.scenarios:
            known = ", ".join(sorted(self.scenarios)) or "none"
            raise KeyError(f"unknown scenario '{scenario_id}' (known: {known})")
        return self.scenarios[scenario_id]


def check_files(paths: List[Path]) -> List[ContentError]:
    errors: List[ContentError] = []
    seen: Dict[str, str] = {}
    for path in paths:
        scenario, problems = load_model(path, Scenario)
        errors += problems
        if scenario is not None:
            if scenario.id in seen:
                errors.append(ContentError(str(path), "id", f"'{scenario.id}' is already used by {seen[scenario.id]}"))
            seen[scenario.id] = str(path)
    return errors


def scenario_files(directory: Path = SCENARIO_DIR) -> List[Path]:
    return sorted(Path(directory).glob("*.yml")) + sorted(Path(directory).glob("*.yaml"))


def _unknown_rights(path: Path, scenario: Scenario) -> List[ContentError]:
    """A scenario may only name rights the course's knowledge base defines (data/course/law.yml)."""
    known = known_rights()
    return [
        ContentError(str(path), f"rights[{n}]", f"unknown right '{r}'; known rights: {', '.join(known) or 'none'}")
        for n, r in enumerate(scenario.rights)
        if r not in known
    ]


def load_library(directory: Path = SCENARIO_DIR, course_file: Path = COURSE_FILE) -> Library:
    """Every valid scenario in ``directory``; invalid files land in ``errors``."""
    library = Library()
    library.course, library.errors = load_model(course_file, Course)
    for path in scenario_files(directory):
        scenario, problems = load_model(path, Scenario)
        library.errors += problems
        if scenario is None:
            continue
        library.errors += _unknown_rights(path, scenario)
        if scenario.id in library.scenarios:
            library.errors.append(ContentError(str(path), "id", f"'{scenario.id}' is defined twice; first one kept"))
            continue
        library.scenarios[scenario.id] = scenario
    return library


@lru_cache(maxsize=1)
def default_library() -> Library:
    library = load_library()
    if library.course is None:
        raise RuntimeError("course defaults are broken: " + "; ".join(map(str, library.errors)))
    return library

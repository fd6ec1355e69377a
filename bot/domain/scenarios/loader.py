"""Loading and checking course content. A broken file is reported, never fatal."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Type, TypeVar, Union

import yaml
from pydantic import BaseModel, ValidationError

from bot.domain.law.knowledge import known_rights
from bot.domain.scenarios.coaching import CoachingScenario
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
    raw, errors = _read_mapping(path)
    if raw is None:
        return None, errors
    return _parse(path, raw, model)


def _parse(path: Path, raw: Dict, model: Type[Model]) -> Tuple[Optional[Model], List[ContentError]]:
    try:
        return model.parse_obj(raw), []
    except ValidationError as exc:
        return None, [ContentError(str(path), _location(err["loc"]), err["msg"]) for err in exc.errors()]


def _read_mapping(path: Path) -> Tuple[Optional[Dict], List[ContentError]]:
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
    return raw, []


AnyScenario = Union[Scenario, CoachingScenario]


def load_scenario(path: Path) -> Tuple[Optional[AnyScenario], List[ContentError]]:
    """A complaint scenario, or a coaching one when the file says ``kind: coaching``."""
    raw, errors = _read_mapping(path)
    if raw is None:
        return None, errors
    if raw.get("kind") == "coaching":
        return _parse(path, raw, CoachingScenario)
    if "kind" in raw and raw["kind"] != "complaint":
        return None, [
            ContentError(str(path), "kind", f"unknown kind {raw['kind']!r}; the kinds are complaint, coaching")
        ]
    return _parse(path, raw, Scenario)


@dataclass
class Library:
    """The course: complaint scenarios (``scenarios``), coaching scenarios (``coaching``) and defaults."""

    scenarios: Dict[str, Scenario] = field(default_factory=dict)
    course: Optional[Course] = None
    errors: List[ContentError] = field(default_factory=list)
    coaching: Dict[str, CoachingScenario] = field(default_factory=dict)

    def scenario(self, scenario_id: str) -> Scenario:
        if scenario_id not in self.scenarios:
            known = ", ".join(sorted(self.scenarios)) or "none"
            raise KeyError(f"unknown scenario '{scenario_id}' (known: {known})")
        return self.scenarios[scenario_id]

    def practice(self, scenario_id: str) -> AnyScenario:
        """Any scenario a learner can pick from the menu, complaint or coaching."""
        if scenario_id in self.coaching:
            return self.coaching[scenario_id]
        if scenario_id not in self.scenarios:
            raise KeyError(f"unknown scenario '{scenario_id}' (known: {', '.join(self.menu_ids()) or 'none'})")
        return self.scenarios[scenario_id]

    def menu_ids(self) -> List[str]:
        """Every scenario id, complaint and coaching, in menu order (alphabetical)."""
        return sorted(set(self.scenarios) | set(self.coaching))


def check_files(paths: List[Path]) -> List[ContentError]:
    errors: List[ContentError] = []
    seen: Dict[str, str] = {}
    for path in paths:
        scenario, problems = load_scenario(path)
        errors += problems
        if scenario is not None:
            if scenario.id in seen:
                errors.append(ContentError(str(path), "id", f"'{scenario.id}' is already used by {seen[scenario.id]}"))
            seen[scenario.id] = str(path)
    return errors


def scenario_files(directory: Path = SCENARIO_DIR) -> List[Path]:
    return sorted(Path(directory).glob("*.yml")) + sorted(Path(directory).glob("*.yaml"))


def _unknown_rights(path: Path, scenario: AnyScenario) -> List[ContentError]:
    """A scenario may only name rights the course's knowledge base defines (data/course/law.yml)."""
    if not isinstance(scenario, Scenario):
        return []
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
        scenario, problems = load_scenario(path)
        library.errors += problems
        if scenario is None:
            continue
        library.errors += _unknown_rights(path, scenario)
        if scenario.id in library.scenarios or scenario.id in library.coaching:
            library.errors.append(ContentError(str(path), "id", f"'{scenario.id}' is defined twice; first one kept"))
            continue
        if isinstance(scenario, CoachingScenario):
            library.coaching[scenario.id] = scenario
        else:
            library.scenarios[scenario.id] = scenario
    return library


@lru_cache(maxsize=1)
def default_library() -> Library:
    library = load_library()
    if library.course is None:
        raise RuntimeError("course defaults are broken: " + "; ".join(map(str, library.errors)))
    return library

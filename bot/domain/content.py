"""Reading one validated YAML content file (scenario-independent course data: law, cues, examples).

A file that cannot be read, or does not fit its schema, raises the caller's error type with a
message that names the file and the first field at fault.
"""

from __future__ import annotations

from pathlib import Path
from typing import Type, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def read_content(path: Path, schema: Type[Model], error: Type[Exception]) -> Model:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path}: cannot be read as YAML: {exc}")
    try:
        return schema.parse_obj(raw if isinstance(raw, dict) else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"] if part != "__root__")
        raise error(f"{path}: field '{field}': {first['msg']}")

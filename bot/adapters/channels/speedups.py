"""Measured speed-ups for the Rasa server process, applied when the coach's channel loads.

Profiling ``coach bench-load`` (py-spy on the Rasa process) showed most of Rasa's CPU
time per turn going to ``RemoteAction._validate_action_result``: it calls
``jsonschema.validate(result, schema)``, which first re-validates the *schema itself*
against the JSON Schema meta-schema on every call, and that costs far more than checking
the small action-server response. Here the validator is built (and the schema checked)
once; every response is still validated against the same schema, and an invalid one
raises the same ``ValidationError`` with the same message as before.

The next largest cost was the SQLite tracker store opening and closing a database
connection for every read and every write (SQLAlchemy 1.4 gives a SQLite file no
connection pool). A small pool keeps the connection open; each read and write is
still its own transaction, committed before the reply is sent. (For a database server,
pooled connections are checked before use, so a restarted PostgreSQL is picked up at once.)
"""

from __future__ import annotations

from typing import Any, Dict, Text

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from jsonschema import ValidationError, exceptions, validators
    from rasa.core.actions import action as rasa_action

    original = rasa_action.RemoteAction._validate_action_result
    schema = rasa_action.RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def _validate_action_result(self, result: Dict[Text, Any]) -> bool:
        try:
            error = exceptions.best_match(validator.iter_errors(result))
            if error is not None:
                raise error
            return True
        except ValidationError as e:
            e.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                "For more information about the format visit "
                f"{rasa_action.DOCS_BASE_URL}/custom-actions"
            )
            raise e

    _validate_action_result.original = original  # type: ignore[attr-defined]
    rasa_action.RemoteAction._validate_action_result = _validate_action_result
    _pool_sqlite()
    _applied = True


def _pool_sqlite() -> None:
    from rasa.core import tracker_store

    original = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url):
        kwargs = dict(original(url))
        if str(url).startswith("sqlite") and ":memory:" not in str(url) and str(url) != "sqlite://":
            from sqlalchemy.pool import QueuePool

            connect_args = dict(kwargs.get("connect_args") or {}, check_same_thread=False, timeout=10)
            kwargs.update(poolclass=QueuePool, pool_size=2, max_overflow=8, connect_args=connect_args)
        elif not str(url).startswith("sqlite"):
            # A database server (PostgreSQL) that restarted has closed the pooled connections: test
            # each one as it is taken, so the first message after the restart is answered, not refused.
            kwargs["pool_pre_ping"] = True
        return kwargs

    create_engine_kwargs.original = original  # type: ignore[attr-defined]
    tracker_store.create_engine_kwargs = create_engine_kwargs

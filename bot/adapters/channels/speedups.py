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

After those, the store's own read grew with the conversation (every event read and replayed
on every message): :mod:`bot.adapters.channels.tracker_cache` keeps each conversation's
tracker in memory between its messages, checked against the database. And Rasa sent the
action server the whole tracker on every turn: at turn 60 about 340 kB of JSON, 70% of it
the bot's replies (each scorecard in full) and slot events, which the action code never
reads (it reads the learner's messages, the actions and the current slots). Those two kinds
of event are now left out of the action call; everything else is sent as before.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from bot.adapters.channels import tracker_cache
from bot.settings import settings

_applied = False
# Events the action code never reads from the tracker (actions/learner_turn.py reads user and
# action events, and the slots' current values, which are sent apart from the events).
UNREAD_BY_ACTIONS = frozenset({"bot", "slot", "user_featurization"})


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
    _lean_action_calls()
    tracker_cache.install(settings().tracker_cache)
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


def _lean_action_calls() -> None:
    import rasa
    from rasa.core.actions import action as rasa_action
    from rasa.shared.core.trackers import EventVerbosity

    original = rasa_action.RemoteAction._action_call_format

    def _action_call_format(self, tracker, domain) -> Dict[Text, Any]:
        state = tracker.current_state(EventVerbosity.NONE)
        state["events"] = [event.as_dict() for event in tracker.events if event.type_name not in UNREAD_BY_ACTIONS]
        call: Dict[Text, Any] = {
            "next_action": self._name,
            "sender_id": tracker.sender_id,
            "tracker": state,
            "version": rasa.__version__,
        }
        if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
            call["domain"] = domain.as_dict()
        return call

    _action_call_format.original = original  # type: ignore[attr-defined]
    rasa_action.RemoteAction._action_call_format = _action_call_format

"""A Redis lock store whose ticket updates are atomic, for several Rasa replicas.

Rasa 3.6's ``RedisLockStore`` keeps each conversation's ticket lock as one JSON value and
changes it by read-modify-write (GET, change, SET) with nothing stopping two replicas from
doing so at once. Measured with two replicas and a dozen messages of one conversation at
once (tests/scale/): one replica's update overwrote the other's, a finished message's ticket
came back, and every later message of that conversation waited for the ticket to expire
(60 s) and then failed — or two messages were handled at the same time.

Here every change to a lock is one optimistic Redis transaction (WATCH the key, read it,
change it, MULTI/SET/EXEC, retried when another replica changed it meanwhile), with the
same ticket format and the same keys as Rasa's store. Use it in endpoints.yml as::

    lock_store:
      type: bot.ops.deploy.redis_lock.AtomicRedisLockStore
      url: <redis host>
      port: 6379
      password: ${REDIS_PASSWORD}
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

logger = logging.getLogger(__name__)


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # built by Rasa from endpoints.yml
            kwargs = dict(endpoint_config.kwargs, **kwargs)
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)

    def _change(
        self, conversation_id: Text, change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Any]]
    ) -> Any:
        """Apply ``change`` to the stored lock atomically; a returned lock of None deletes it."""
        key = self.key_prefix + conversation_id
        result: list = []

        def transaction(pipe) -> None:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new, value = change(lock)
            pipe.multi()
            if new is None:
                pipe.delete(key)
            else:
                pipe.set(key, new.dumps())
            result[:] = [value]

        self.red.transaction(transaction, key)
        return result[0]

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]):
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}")

    def update_lock(self, conversation_id: Text) -> None:
        def expire(lock: Optional[TicketLock]):
            if lock is None:
                return None, None
            lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, expire)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]):
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove this ticket, and the lock with it when nobody else is waiting (one step)."""

        def clean(lock: Optional[TicketLock]):
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, clean)

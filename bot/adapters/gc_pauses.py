"""Keep the garbage collector's full pass off the servers' hot path (issue 20).

Rasa's process holds about half a million objects once Rasa, TensorFlow and the model are
loaded, nearly all of them built at start-up and never freed. A full collection walks them
all: about 230 ms on this machine, during which the event loop answers no one, so every
learner waiting at that moment sees it (the long tail of ``coach bench-load``). Moving the
start-up objects into the collector's permanent generation (``gc.freeze()``) leaves a full
pass only the objects made since: conversations, requests and events. Nothing is disabled,
and cycles among new objects are still collected.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then exempt everything alive now from later full passes."""
    gc.collect()
    gc.freeze()

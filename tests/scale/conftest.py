"""Scale-out tests: opt-in (`make test-scale`), skipped by plain `make test`.

They need PostgreSQL, Redis and nginx (`make test-scale` installs them with apt-get when
missing) and start throwaway instances of each on free ports under /tmp.
"""

import os

import pytest

ENABLED = os.environ.get("COACH_SCALE_TESTS") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/scale/" not in str(item.fspath):
            continue
        item.add_marker(pytest.mark.e2e)
        if not ENABLED:
            item.add_marker(pytest.mark.skip(reason="scale-out tests are opt-in: run `make test-scale`"))

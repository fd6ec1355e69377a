"""These tests start real servers: mark them like the e2e tests (`make test-fast` skips them)."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        path = str(item.fspath)
        if "/faults/" in path:
            item.add_marker(pytest.mark.e2e)

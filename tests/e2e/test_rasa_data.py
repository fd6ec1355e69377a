"""The Rasa project itself is consistent."""

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_rasa_data_validate_is_clean():
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    run = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

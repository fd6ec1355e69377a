"""One settings module: every COACH_* variable, its default, and the table the docs show."""

from __future__ import annotations

import re
import subprocess
import sys

from bot.settings import Settings, settings_table
from tests.conftest import ROOT

TABLE = re.compile(r"<!-- settings-table:start -->\n(.*?)\n<!-- settings-table:end -->", re.S)


def test_docs_show_every_setting_with_its_default():
    page = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    found = TABLE.search(page)
    assert found, "docs/operations.md has no settings table between the markers"
    assert found.group(1).strip() == settings_table().strip()


def test_every_coach_variable_the_code_reads_is_a_setting():
    used = set()
    for path in list((ROOT / "bot").rglob("*.py")) + list((ROOT / "bot").rglob("*.yml")):
        used |= set(re.findall(r"\bCOACH_[A-Z][A-Z0-9_]+", path.read_text(encoding="utf-8")))
    constants = {"COACH_COMMAND", "COACH_PREFIX"}  # names of constants in code, not variables
    known = {f"COACH_{name.upper()}" for name in Settings.__fields__}
    assert used - constants - known == set()


def test_empty_variables_count_as_unset_and_bad_pass_marks_fall_back(coach_env):
    coach_env("COACH_DATABASE_URL", "  ")
    coach_env("COACH_PASS_MARK", "150")
    coach_env("COACH_RASA_PORT", "6006")
    current = Settings()
    assert current.database_url is None and current.pass_mark is None and current.rasa_port == 6006


def test_coach_settings_prints_values_in_force_and_hides_secrets():
    env = {"COACH_API_TOKEN": "a-secret-token-value-123", "COACH_DASHBOARD_PORT": "5099", "PATH": "/usr/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "settings"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert re.search(r"COACH_DASHBOARD_PORT\s+5099", run.stdout)
    assert re.search(r"COACH_API_TOKEN\s+\(set\)", run.stdout)
    assert "a-secret-token-value-123" not in run.stdout

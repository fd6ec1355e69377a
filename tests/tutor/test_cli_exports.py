"""`coach export` and `coach report` on the conversations played through the real servers."""

from __future__ import annotations

import csv
import io
import json

from tests.tutor.conftest import XSS_IMG, XSS_SCRIPT, coach


def _run(stack, *args):
    done = coach(*args, "--database-url", stack.database_url)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_export_csv_and_since(stack):
    rows = list(csv.DictReader(io.StringIO(_run(stack, "export", "--format", "csv"))))
    assert len(rows) == 5
    raj = next(r for r in rows if r["learner_id"] == "raj")
    assert raj["mode"] == "assessment" and raj["pass_mark"] == "70" and raj["passed"] in ("yes", "no")
    assert all(raj[m] != "" for m in ("HEAT", "LATER", "AAA", "LURC", "RATER", "CYCLE", "SOLVE"))
    open_row = next(r for r in rows if r["learner_id"] == "ana")
    assert open_row["outcome"] == "in_progress" and open_row["overall"] == ""
    later = _run(stack, "export", "--format", "csv", "--since", "2999-01-01")
    assert later.strip().splitlines() == [later.strip().splitlines()[0]]  # only the header
    assert later.startswith("conversation_id,attempt,learner_id")


def test_export_json_and_xapi(stack):
    data = json.loads(_run(stack, "export", "--format", "json"))
    good = next(d for d in data if d["conversation_id"] == "kim-good")
    assert good["learner"] == {"id": "kim", "name": "Kim Lee"} and good["outcome"] == "satisfied"
    assert good["scorecard"]["overall"] == good["overall_auto"]
    statements = json.loads(_run(stack, "export", "--format", "xapi", "--since", "2000-01-01"))
    assert len(statements) == 4
    for statement in statements:
        assert statement["verb"]["id"].startswith("http://adlnet.gov/expapi/verbs/")
        assert statement["actor"]["account"]["homePage"].startswith("http")
        assert set(statement["result"]["score"]) == {"scaled", "raw", "min", "max"}
        assert statement["timestamp"].endswith("Z") and statement["version"] == "1.0.3"
    raj = next(s for s in statements if s["actor"]["account"]["name"] == "raj")
    success = raj["result"]["success"]
    assert raj["verb"]["display"]["en-GB"] == ("passed" if success else "failed")
    assert success == (raj["result"]["score"]["raw"] >= 70)
    # Statement ids are stable, so sending an export twice to an LRS does not duplicate attempts.
    again = json.loads(_run(stack, "export", "--format", "xapi"))
    assert sorted(s["id"] for s in again) == sorted(s["id"] for s in statements)


def test_bad_since_is_one_clear_line(stack):
    done = coach("export", "--since", "last tuesday", "--database-url", stack.database_url)
    assert done.returncode == 2 and done.stderr.strip().startswith("coach: error: 'last tuesday' is not a date")


def test_report_markdown(stack):
    text = _run(stack, "report", "kim-good")
    assert text.startswith("# Conversation kim\\-good")
    assert "## Attempt 1: Late delivery" in text
    assert "**Learner** — turn 1: Hi, you're through to Sam at Brightmart" in text
    assert "moves: " in text and "apologize" in text
    assert "### Mood (0 calm – 10 furious)" in text and "| 0 | 8 |" in text
    assert "#### HEAT:" in text and "turn 1: “" in text
    assert "order BM\\-48213 two days late" in text
    assert "I should have asked about the trip sooner." in text
    missing = coach("report", "nobody-here", "--database-url", stack.database_url)
    assert missing.returncode == 2 and "no conversation 'nobody-here'" in missing.stderr


def test_report_html_escapes_learner_text(stack, tmp_path):
    out = tmp_path / "eve.html"
    _run(stack, "report", "eve-xss", "--format", "html", "--output", str(out))
    page = out.read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and XSS_IMG not in page
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page and XSS_SCRIPT not in page
    assert '<svg class="mood-chart"' in page and "<script" not in page
    markdown = _run(stack, "report", "eve-xss")
    assert XSS_IMG not in markdown and "&lt;img src=x onerror=alert\\(1\\)&gt;" in markdown


def test_tutor_accounts_from_the_command_line(stack):
    listing = _run(stack, "tutor", "list")
    assert "tutor.one" in listing.split()
    dup = coach(
        "tutor",
        "add",
        "tutor.one",
        "--password-stdin",
        "--database-url",
        stack.database_url,
        input="another password\n",
    )
    assert dup.returncode == 2 and "already exists" in dup.stderr
    short = coach("tutor", "add", "someone", "--password-stdin", "--database-url", stack.database_url, input="short\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr

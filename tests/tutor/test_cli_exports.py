"""`coach export` and `coach report` on the conversations played through the real servers."""

from __future__ import annotations

import csv
import io
import json

from tests.tutor.conftest import LATE_LINE, SLACK_LEARNER, SLACK_LINES, XSS_IMG, XSS_SCRIPT, coach, stored_kpis


def _run(stack, *args):
    done = coach(*args, "--database-url", stack.database_url)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_export_csv_and_since(stack):
    rows = list(csv.DictReader(io.StringIO(_run(stack, "export", "--format", "csv"))))
    assert len(rows) == 6
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
    assert good["learner"]["id"] == "kim" and good["learner"]["name"] == "Kim Lee" and good["outcome"] == "satisfied"
    assert good["scorecard"]["overall"] == good["overall_auto"]
    statements = json.loads(_run(stack, "export", "--format", "xapi", "--since", "2000-01-01"))
    assert len(statements) == 5
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


def test_exports_carry_names_and_every_message_in_order(stack):
    """JSON, the messages CSV and xAPI: every line of the transcript in order, with the late line."""
    data = json.loads(_run(stack, "export", "--format", "json"))
    klee = next(d for d in data if d["conversation_id"] == "klee-slack")
    assert (klee["learner"]["id"], klee["learner"]["name"]) == (SLACK_LEARNER["id"], SLACK_LEARNER["name"])
    lines = [(m["speaker"], m["text"], m["kind"]) for m in klee["messages"]]
    assert [text for speaker, text, _ in lines if speaker == "learner"] == SLACK_LINES
    assert lines[-1] == ("learner", LATE_LINE, "late") and lines[0][0] == "customer"
    assert sum(1 for speaker, _, _ in lines if speaker == "customer") >= 3  # the opening and one reply per turn
    assert [kind for _, text, kind in lines if text in ("end", SLACK_LINES[3])] == ["tool", "tool"]
    assert [m["index"] for m in klee["messages"]] == list(range(1, len(lines) + 1))

    rows = list(csv.DictReader(io.StringIO(_run(stack, "export", "--format", "csv", "--messages"))))
    own = [r for r in rows if r["conversation_id"] == "klee-slack"]
    assert [(r["speaker"], r["text"], r["kind"]) for r in own] == lines
    assert {r["learner_name"] for r in own} == {"klee"} and {r["conversation_id"] for r in rows} == {
        d["conversation_id"] for d in data
    }

    statements = json.loads(_run(stack, "export", "--format", "xapi"))
    (statement,) = [
        s for s in statements if s["context"]["extensions"]["urn:complaint-coach:conversation"] == "klee-slack"
    ]
    assert statement["actor"]["name"] == "klee" and statement["actor"]["account"]["name"] == SLACK_LEARNER["id"]
    transcript = statement["context"]["extensions"]["urn:complaint-coach:transcript"]
    assert [(m["speaker"], m["text"], m["kind"]) for m in transcript] == lines
    refused = coach("export", "--format", "json", "--messages", "--database-url", stack.database_url)
    assert refused.returncode == 2 and "--messages goes with --format csv" in refused.stderr


def test_exports_carry_each_attempts_kpis_as_its_scorecard_has_them(stack):
    kpis = stored_kpis(stack)
    keys = ("csat", "nps", "nps_category", "first_contact_resolution", "turns", "handle_seconds")
    rows = {r["conversation_id"]: r for r in csv.DictReader(io.StringIO(_run(stack, "export", "--format", "csv")))}
    for sender, expected in kpis.items():
        cells = [rows[sender][k] for k in keys]
        if expected is None:  # the attempt in progress: no scorecard, no KPIs
            assert cells[:4] + cells[5:] == ["", "", "", "", ""]
            continue
        fcr = "yes" if expected["first_contact_resolution"] else "no"
        assert cells == [str(expected["csat"]), str(expected["nps"]), expected["nps_category"], fcr] + [
            str(expected["turns"]),
            str(expected["handle_seconds"]),
        ]
    data = {d["conversation_id"]: d for d in json.loads(_run(stack, "export", "--format", "json"))}
    assert data["kim-good"]["kpis"] == {k: kpis["kim-good"][k] for k in keys}
    assert data["ana-open"]["kpis"] is None
    statements = json.loads(_run(stack, "export", "--format", "xapi"))
    for statement in statements:
        sender = statement["context"]["extensions"]["urn:complaint-coach:conversation"]
        extensions = statement["result"]["extensions"]
        assert {k: extensions["urn:complaint-coach:" + k.replace("_", "-")] for k in keys} == {
            k: kpis[sender][k] for k in keys
        }
        assert statement["result"]["duration"] == f"PT{kpis[sender]['handle_seconds']}S"


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
    kpis = stored_kpis(stack)["kim-good"]
    assert f"#### Service KPIs\n\n- CSAT {kpis['csat']}/5: " in text
    assert f"- NPS {kpis['nps']}/10 ({kpis['nps_category']})" in text and "- The customer: “" in text
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

"""Course content loads, and broken files are named with the field that is wrong."""

from __future__ import annotations

from pathlib import Path

from bot.domain.scenarios import load_library
from bot.domain.scenarios.loader import check_files, scenario_files
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


def test_every_shipped_scenario_is_valid(library):
    assert "late_delivery" in library.scenarios
    assert check_files(scenario_files(ROOT / "data" / "scenarios")) == []
    assert library.course is not None


def test_errors_name_the_file_and_the_field():
    errors = [str(e) for e in check_files([FIXTURES / "broken" / "bad_types.yml"])]
    assert any("bad_types.yml" in e and "remedies[0].satisfies" in e for e in errors), errors
    assert any("escalation.rule" in e for e in errors), errors


def test_invalid_yaml_is_reported_with_its_line():
    errors = [str(e) for e in check_files([FIXTURES / "broken" / "not_yaml.yml"])]
    assert len(errors) == 1 and "not_yaml.yml" in errors[0] and "line" in errors[0]


def test_a_broken_file_does_not_stop_the_valid_ones(tmp_path):
    (tmp_path / "good.yml").write_text((FIXTURES / "scenarios" / "repeat_fault.yml").read_text())
    (tmp_path / "bad.yml").write_text((FIXTURES / "broken" / "bad_types.yml").read_text())
    library = load_library(tmp_path)
    assert list(library.scenarios) == ["repeat_fault"]
    assert library.errors and all("bad.yml" in str(e) for e in library.errors)


def test_duplicate_ids_are_reported(tmp_path):
    text = (FIXTURES / "scenarios" / "repeat_fault.yml").read_text()
    (tmp_path / "a.yml").write_text(text)
    (tmp_path / "b.yml").write_text(text)
    errors = [str(e) for e in check_files(sorted(tmp_path.glob("*.yml")))]
    assert any("b.yml" in e and "already used" in e for e in errors)


def test_a_broken_cause_chain_is_named_with_its_field(tmp_path):
    text = (FIXTURES / "scenarios" / "repeat_fault.yml").read_text()
    broken = {
        "no_root.yml": "cause_chain:\n  - {level: symptom, label: it drops, why: 'Why does it drop?', cues: [drop]}\n",
        "no_why.yml": "cause_chain:\n  - {level: symptom, label: it drops, cues: [drop]}\n"
        "  - {level: root_cause, label: nobody owns it, cues: [nobody + own]}\n",
        "empty_term.yml": "cause_chain:\n  - {level: symptom, label: it drops, why: 'Why does it drop?', cues: [drop]}\n"
        "  - {level: root_cause, label: nobody owns it, cues: [nobody + ]}\n",
        "bad_level.yml": "cause_chain:\n  - {level: trigger, label: it drops, why: 'Why does it drop?', cues: [drop]}\n",
    }
    for name, chain in broken.items():
        (tmp_path / name).write_text(text + "\n" + chain)
    errors = {}
    for error in check_files(sorted(tmp_path.glob("*.yml"))):
        errors[Path(error.file).name] = errors.get(Path(error.file).name, "") + str(error)
    assert "needs at least a symptom and a root_cause" in errors["no_root.yml"]
    assert "needs a 'why'" in errors["no_why.yml"]
    assert "cause_chain" in errors["empty_term.yml"] and "empty term" in errors["empty_term.yml"]
    assert "cause_chain[0].level" in errors["bad_level.yml"]

"""The regular-expression rules are data: shipped files load, and a broken one says what is wrong."""

from __future__ import annotations

import shutil

import pytest

from bot.domain.moves.rules import RULES_DIR, RuleError, default_rules, load_rules, match, vetoed
from bot.domain.moves.text import normalise


def test_shipped_rules_find_and_veto_moves_by_name():
    assert ("blame", "customer should have") in {
        (h.move, h.rule) for h in match(normalise("You should have read the email."))
    }
    assert vetoed("apologize", normalise("What are you sorry for?")) == "asks what the apology is for"
    assert ("blame", "not us") in default_rules().strong
    assert not vetoed("apologize", normalise("I'm so sorry your order is late."))


def test_fragments_are_put_into_the_rules_that_name_them():
    # "I'll" reaches the take_ownership rules only through the ILL fragment.
    assert ("take_ownership", "commits to handle it") in {(h.move, h.rule) for h in match(normalise("I'll sort this."))}
    assert not [rule.name for rule in default_rules().positive if "${" in rule.pattern.pattern]


@pytest.fixture
def rules_copy(tmp_path):
    folder = tmp_path / "regex"
    shutil.copytree(RULES_DIR, folder)
    return folder


@pytest.mark.parametrize(
    "content, expected",
    [
        (
            "move: blame\nexpressions:\n  - name: broken\n    regex: '(?:you'\n",
            "rule 'broken' field 'regex': not a valid regular",
        ),
        ("move: blame\nexpressions:\n  - name: stray\n    regex: '${NOPE} x'\n", "unknown fragment ${NOPE}"),
        ("move: blame\nexpressions:\n  - name: no regex\n", "field 'expressions.0.regex'"),
        ("move: blaem\nexpressions: []\n", "field 'move'"),
        ("move: blame\nexpressions: [\n", "cannot be read as YAML"),
    ],
)
def test_a_broken_rule_file_names_the_file_the_rule_and_the_field(rules_copy, content, expected):
    (rules_copy / "blame.yml").write_text(content, encoding="utf-8")
    with pytest.raises(RuleError) as raised:
        load_rules(rules_copy)
    assert "blame.yml" in str(raised.value) and expected in str(raised.value), str(raised.value)


def test_a_rule_file_not_named_after_a_move_is_refused(rules_copy):
    (rules_copy / "blam.yml").write_text("move: blame\n", encoding="utf-8")
    with pytest.raises(RuleError, match="blam.yml: no move is called 'blam'"):
        load_rules(rules_copy)

"""Declarative rule packs: YAML only, conditions over a document's fields."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.host.errors import ConfigError
from compliance.rules.declarative import load_declarative

HEAD = """\
declarative: true
pack: my-rules
title: {zh: 测试, en: test}
clauses: [LOCAL-HOURS]
parameters: {latest: "17:00"}
rules:
  TST001:
    severity: warning
    kind: schedule
    title: {zh: 测试规则, en: a test rule}
    message: {zh: "{date} {title}", en: "{title} on {date}"}
    when:
"""


def pack_file(tmp_path: Path, condition: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(HEAD + "".join(f"      {line}\n" for line in condition.splitlines()),
                    encoding="utf-8")
    return path


def row(**values: str) -> dict[str, str]:
    base = {"date": "2025-10-09", "start": "08:00", "end": "11:00", "activity": "上课",
            "grades": "9", "title": "上课"}
    return {**base, **values}


def lines(compliance_check, rules: Path, rows: list[dict[str, str]]) -> list[int | None]:
    result = compliance_check(rows={"schedule": rows}, rules=[rules], select=["TST"],
                              entry_points=False)
    return result.lines("TST001")


def test_time_comparison_uses_a_parameter(compliance_check, tmp_path: Path) -> None:
    rules = pack_file(tmp_path, "{field: end, gt: {param: latest}}")
    assert lines(compliance_check, rules, [row(end="17:30"), row(end="16:59")]) == [2]


def test_date_comparison_and_all(compliance_check, tmp_path: Path) -> None:
    rules = pack_file(tmp_path, "all:\n  - {field: date, ge: 2025-10-10}\n"
                                "  - {field: activity, eq: exam}")
    rows = [row(date="2025-10-13", activity="考试"), row(date="2025-10-09", activity="考试"),
            row(date="2025-10-13")]
    assert lines(compliance_check, rules, rows) == [2]


def test_membership_regex_any_and_not(compliance_check, tmp_path: Path) -> None:
    rules = pack_file(tmp_path, "any:\n  - {field: activity, in: [remedial, self_study]}\n"
                                "  - not: {field: title, matches: '^上'}")
    rows = [row(activity="补课"), row(title="月考"), row()]
    assert lines(compliance_check, rules, rows) == [2, 3]


def test_weekday_and_school_day_use_the_calendar(compliance_check, tmp_path: Path) -> None:
    rules = pack_file(tmp_path, "all:\n  - {field: date, weekday: [Sat, Sun]}\n"
                                "  - {field: date, school_day: false}")
    # 2025-10-18 is a Saturday; 2025-09-28 a Sunday make-up working day
    rows = [row(date="2025-10-18"), row(date="2025-09-28"), row(date="2025-10-09")]
    assert lines(compliance_check, rules, rows) == [2]


def test_contains_checks_the_grades_of_a_row(compliance_check, tmp_path: Path) -> None:
    rules = pack_file(tmp_path, "{field: grades, contains: 9}")
    rows = [row(grades="7;8"), row(grades="9-1"), row(grades="")]
    # an empty cell never matches a test but `empty`
    assert lines(compliance_check, rules, rows) == [3]


def test_finding_carries_message_severity_and_subject(compliance_check, tmp_path: Path) -> None:
    rules = pack_file(tmp_path, "{field: date, eq: 2025-10-09}")
    result = compliance_check(rows={"schedule": [row()]}, rules=[rules], select=["TST"],
                              entry_points=False, lang="zh")
    (finding,) = result.of("TST001")
    assert (finding.severity, finding.message, finding.subject) == (
        "warning", "2025-10-09 上课", {"date": "2025-10-09"})
    assert finding.location.column == "date"


@pytest.mark.parametrize(("condition", "fragment", "line"), [
    ("{field: end, between: 1}", "exactly one operator", 13),
    ("{field: title, matches: '('}", "not a valid regular expression", 13),
    ("all: []", "non-empty list", 13),
    ("{field: date, school_day: maybe}", "true or false", 13),
    ("{field: end, gt: {param: nope}}", "parameter(s) nope", 7),
    ("{field: date, day_type: festival}", "unknown 'festival'", 13),
])
def test_errors_name_the_file_and_line(tmp_path: Path, condition: str, fragment: str,
                                       line: int) -> None:
    path = pack_file(tmp_path, condition)
    with pytest.raises(ConfigError) as info:
        load_declarative(path)
    assert fragment in str(info.value)
    assert info.value.file == str(path) and info.value.line == line


def test_a_yaml_tag_is_refused_not_evaluated(tmp_path: Path) -> None:
    path = pack_file(tmp_path, "{field: date, eq: !!python/object/apply:os.system [echo hi]}")
    with pytest.raises(ConfigError, match="tag") as info:
        load_declarative(path)
    assert info.value.line == 13


def test_a_pack_file_without_the_marker_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(HEAD.replace("declarative: true\n", "") + "      {field: date, empty: true}\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="declarative: true"):
        load_declarative(path)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("compliance")
    return subprocess.run([str(script), *args], capture_output=True, text=True,
                          env={"COMPLIANCE_NO_ENTRY_POINTS": "1", "PATH": "",
                               "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]})


def test_builtin_declarative_rule_is_listed_and_explained() -> None:
    listing = cli("rules", "--lang", "en")
    assert any(line.startswith("EXM001") and "exams" in line
               for line in listing.stdout.splitlines())
    assert "DOUBLE-REDUCTION-2021" in cli("explain", "EXM001", "--lang", "en").stdout


def test_rules_option_adds_a_file_to_the_listing(tmp_path: Path) -> None:
    path = pack_file(tmp_path, "{field: date, empty: true}")
    result = cli("rules", "--rules", str(path), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "TST001     my-rules" in result.stdout


def test_a_broken_rules_file_is_one_line_naming_it(tmp_path: Path) -> None:
    path = pack_file(tmp_path, "{field: date, sounds_like: x}")
    result = cli("rules", "--rules", str(path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"compliance: error: {path}:13: rule TST001: a test takes exactly one operator, one of: "
        "eq, ne, lt, le, gt, ge, in, not_in, contains, matches, weekday, school_day, day_type, "
        "empty"]


def load_with_kinds(path: Path) -> None:
    """Load a rule file the way a run does: checked against every document kind."""
    from compliance.host.manager import make_plugin_manager
    from compliance.host.registry import Registry
    from compliance.rules.declarative import RuleFiles

    Registry.build(make_plugin_manager(entry_points=False, extra=[RuleFiles([str(path)])]))


@pytest.mark.parametrize(("condition", "fragment", "line"), [
    ("{field: ennd, gt: '17:00'}", "unknown field 'ennd' of kind schedule (did you mean 'end'?)",
     13),
    ("{field: school.leve, eq: junior}", "unknown school field 'school.leve' "
     "(did you mean 'school.level'?)", 13),
    ("{field: end, gtt: '17:00'}", "exactly one operator (did you mean 'gt'?)", 13),
])
def test_a_misspelt_field_or_operator_is_a_load_error(tmp_path: Path, condition: str,
                                                       fragment: str, line: int) -> None:
    path = pack_file(tmp_path, condition)
    with pytest.raises(ConfigError) as info:
        load_with_kinds(path)
    assert fragment in str(info.value)
    assert info.value.file == str(path) and info.value.line == line


def test_a_misspelt_kind_is_a_load_error(tmp_path: Path) -> None:
    path = pack_file(tmp_path, "{field: end, gt: '17:00'}")
    path.write_text(path.read_text(encoding="utf-8").replace("kind: schedule", "kind: schedul"),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_with_kinds(path)
    assert "unknown kind 'schedul' (did you mean 'schedule'?)" in str(info.value)
    assert info.value.line == 9


def test_a_misspelt_message_placeholder_is_a_load_error(tmp_path: Path) -> None:
    path = pack_file(tmp_path, "{field: end, gt: {param: latest}}")
    path.write_text(path.read_text(encoding="utf-8").replace("{title}", "{titel}"),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_with_kinds(path)
    assert "uses {titel}, which the rule does not pass (did you mean 'title'?)" in str(info.value)
    assert info.value.line == 11


def test_a_misspelt_field_on_the_command_line_is_one_line(tmp_path: Path) -> None:
    path = pack_file(tmp_path, "{field: ennd, gt: '17:00'}")
    result = cli("check", "--rules", str(path), str(tmp_path))
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"compliance: error: {path}:13: rule TST001: unknown field 'ennd' of "
                           "kind schedule (did you mean 'end'?); known: school_id, days, date, ")
    assert line.endswith(", or school.id, school.name, school.level, school.area, "
                         "school.boarding, school.district, school.catchment")


def test_school_profile_fields_can_be_tested(compliance_check, tmp_path: Path) -> None:
    rules = pack_file(tmp_path, "all:\n  - {field: school.boarding, eq: true}\n"
                                "  - {field: school.level, in: [junior, nine_year]}\n"
                                "  - {field: school.area, eq: urban}\n"
                                "  - {field: end, gt: '17:00'}")
    rows = [row(end="17:30"), row(end="16:00")]
    base = {"id": "T-001", "name": "测试学校", "level": "junior", "area": "urban",
            "classes": ["7-1"], "terms": [{"name": "秋", "start": "2025-09-01",
                                            "end": "2026-01-16"}]}

    def lines_for(**school: object) -> list[int | None]:
        result = compliance_check(rows={"schedule": rows}, school={**base, **school},
                                  rules=[rules], select=["TST"], entry_points=False)
        return result.lines("TST001")

    assert lines_for(boarding=True) == [2]
    assert lines_for(boarding=False) == []
    assert lines_for(boarding=True, level="primary") == []
    assert lines_for(boarding=True, area="rural") == []


def test_a_message_shows_activity_labels_not_codes(compliance_check, tmp_path: Path) -> None:
    path = pack_file(tmp_path, "{field: activity, eq: self_study}")
    path.write_text(path.read_text(encoding="utf-8").replace(
        '{zh: "{date} {title}", en: "{title} on {date}"}',
        '{zh: "{date} 安排{activity}", en: "{activity} on {date}"}'), encoding="utf-8")
    result = compliance_check(rows={"schedule": [row(activity="自习")]}, rules=[path],
                              select=["TST"], entry_points=False, lang="zh")
    (finding,) = result.of("TST001")
    assert finding.message == "2025-10-09 安排自习"
    assert finding.subject["activity"] == "self_study"

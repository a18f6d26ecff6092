"""Waivers: accepted exceptions, each for a reason, approved by someone, until a date.

The file format is the one in cli.md::

    waivers:
      - code: HRS002
        school_id: ZS-001
        match: {class: 6-1}          # optional: the finding's subject must match
        reason: 毕业班课后服务经区教育局批准
        approved_by: 中山区教育局
        expires: 2026-01-31

A waived finding stays in the report with ``waived: true`` and the waiver it was
waived by, and no longer counts for the exit status.  Two things about the
waivers themselves are reported as findings, so that every format shows them and
``--fail-on warning`` can fail on them:

* ``WVR001`` (warning): a waiver has expired; it waives nothing any more.
* ``WVR002`` (warning): a waiver in force matched no finding (stale or mistyped) —
  judged only for a school the run checked: a district's waiver file used on one
  school's folder says nothing of the others' waivers.

``report.waivers`` lists every waiver with its ``status`` (``active``, ``expired``),
how many findings it waived, and whether the run checked its school
(``school_checked``).  A WVR001 about a school the run did not check names that
school in its message but belongs to no school of the run (so a history does not
count the school as checked in this round).  "Today" is :func:`today`: the ``COMPLIANCE_TODAY``
environment variable (``YYYY-MM-DD``) when set, else the system date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

from compliance.host.errors import ConfigError
from compliance.inputs.model import Location
from compliance.inputs.raw import LList, LMap
from compliance.outputs.report import Report
from compliance.outputs.spilled import added, rewrite
from compliance.rounds.fingerprint import default_fingerprint
from compliance.rules.finding import Finding

ENV_TODAY = "COMPLIANCE_TODAY"
REQUIRED = ("code", "reason", "approved_by", "expires")
KNOWN = (*REQUIRED, "school_id", "match")
#: codes no waiver may name: what could not be checked is never accepted as checked
UNWAIVABLE = ("INP", "ERR")

# The two codes about waivers themselves; titles and messages in both languages.
TITLES: dict[str, dict[str, str]] = {
    "WVR001": {"zh": "豁免已过期", "en": "a waiver has expired"},
    "WVR002": {"zh": "豁免未匹配任何问题", "en": "a waiver matched no finding"},
}
MESSAGES: dict[str, dict[str, str]] = {
    "WVR001": {
        "zh": "豁免已于 {expires} 过期，不再生效（{code}，{scope}）：{reason}",
        "en": "waiver expired on {expires} and no longer applies ({code}, {scope}): {reason}",
    },
    "WVR002": {
        "zh": "豁免未匹配任何问题，可能已整改或填写有误（{code}，{scope}）",
        "en": "waiver matched no finding; fixed already, or mistyped? ({code}, {scope})",
    },
}
ALL_SCHOOLS = {"zh": "全部学校", "en": "all schools"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def today() -> dt.date:
    """The date expiry is judged against: ``$COMPLIANCE_TODAY`` if set, else the system date."""
    value = os.environ.get(ENV_TODAY)
    if value:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ConfigError(f"{ENV_TODAY}={value!r} is not a date (YYYY-MM-DD)") from None
    return dt.date.today()


def load_waivers(path: str | Path) -> list[dict[str, Any]]:
    """The waivers of a file, checked; each dict has the keys of the file plus ``line``.

    :raises ConfigError: one line naming file and line for an unusable waiver.
    """
    from compliance.rules.metadata import load_yaml_file

    file = str(path)
    if not Path(path).is_file():
        raise ConfigError("waiver file not found", file)
    data = load_yaml_file(Path(path))
    items = data.get("waivers")
    if items is None:
        raise ConfigError("expected a top-level `waivers:` list", file, data.line or 1)
    if not isinstance(items, LList | list):
        raise ConfigError("`waivers:` must be a list", file, data.line_of("waivers"))
    out = []
    for index, item in enumerate(items):
        line = items.line_of(index) if isinstance(items, LList) else None
        if not isinstance(item, LMap | dict):
            raise ConfigError("each waiver must be a mapping (code, reason, expires …)", file, line)
        line = getattr(item, "line", None) or line
        out.append(_check(item, file, line))
    return out


def _check(item: dict[str, Any], file: str, line: int | None) -> dict[str, Any]:
    for key in item:
        if key not in KNOWN:
            raise ConfigError(f"waiver: unknown key {key!r}; known: {', '.join(KNOWN)}", file,
                              _line(item, key, line))
    for key in REQUIRED:
        value = item.get(key)
        if value is None or not str(value).strip():
            raise ConfigError(f"waiver for {item.get('code') or '?'} has no {key!r}; a waiver "
                              f"needs {', '.join(REQUIRED)}", file, line)
    code = str(item["code"]).strip().upper()
    if code.startswith(UNWAIVABLE):
        # An input or rule failure means part of the submission was never checked:
        # waiving it would turn "incomplete" into a pass.
        raise ConfigError(f"waiver for {code}: input problems (INP) and rule failures (ERR) "
                          "cannot be waived; fix the file or the plugin instead", file,
                          _line(item, "code", line))
    expires = item["expires"]
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    if not isinstance(expires, dt.date):
        text = str(expires).strip()
        if not _DATE.match(text):
            raise ConfigError(f"waiver expires {text!r}: write a date as YYYY-MM-DD", file,
                              _line(item, "expires", line))
        try:
            expires = dt.date.fromisoformat(text)
        except ValueError:
            raise ConfigError(f"waiver expires {text!r} is not a real date", file,
                              _line(item, "expires", line)) from None
    match = item.get("match") or {}
    if not isinstance(match, dict):
        raise ConfigError("waiver match must be a mapping of subject keys to values", file,
                          _line(item, "match", line))
    return {
        "code": code,
        "school_id": str(item["school_id"]).strip() if item.get("school_id") is not None else None,
        "match": {str(k): _text(v) for k, v in match.items()},
        "reason": str(item["reason"]).strip(),
        "approved_by": str(item["approved_by"]).strip(),
        "expires": expires.isoformat(),
        "file": file,
        "line": line,
    }


def _line(item: Any, key: str, default: int | None) -> int | None:
    return item.line_of(key) if isinstance(item, LMap) else default


def _text(value: Any) -> Any:
    if isinstance(value, list):
        return [_text(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def matches(waiver: dict[str, Any], finding: Finding) -> bool:
    """Whether ``waiver`` covers ``finding``: same code, same school (if given), subject match.

    A ``match`` value equals the subject's value as text; a subject that is a list
    matches when it contains the value; a ``match`` value that is a list matches any.
    """
    if finding.code != waiver["code"] or finding.code.startswith(UNWAIVABLE):
        return False
    if waiver["school_id"] is not None and finding.school_id != waiver["school_id"]:
        return False
    for key, wanted in waiver["match"].items():
        if key not in finding.subject:
            return False
        have = finding.subject[key]
        haves = {str(v) for v in have} if isinstance(have, list) else {str(have)}
        wanteds = set(wanted) if isinstance(wanted, list) else {wanted}
        if not haves & wanteds:
            return False
    return True


def public(waiver: dict[str, Any]) -> dict[str, Any]:
    """A waiver as reports show it (no internal keys)."""
    return {k: waiver[k] for k in ("code", "school_id", "match", "reason", "approved_by",
                                   "expires") if waiver.get(k) not in (None, {})}


def apply_waivers(report: Report, waiver_file: str | Path, engine: Any = None,
                  on: dt.date | None = None) -> Report:
    """Mark the findings of ``report`` the waivers in ``waiver_file`` cover, in place.

    :param engine: the engine of the run (for the language); may be ``None``.
    :param on: the date expiry is judged against (default :func:`today`).
    :returns: the same report, with ``waived``/``waiver`` set on findings, WVR001/WVR002
        findings added, and ``report.waivers`` listing every waiver and its status.
    """
    lang = getattr(getattr(engine, "options", None), "lang", None) or report.lang or "en"
    day = on or today()
    waivers = load_waivers(waiver_file)
    used = [0] * len(waivers)
    in_force = [(index, waiver) for index, waiver in enumerate(waivers)
                if dt.date.fromisoformat(waiver["expires"]) >= day]

    def mark(finding: Finding) -> Finding:
        if finding.waived:
            return finding
        for index, waiver in in_force:
            if matches(waiver, finding):
                finding.waived = True
                finding.waiver = public(waiver)
                used[index] += 1
                break
        return finding

    report.findings = rewrite(report.findings, mark)
    extra: list[Finding] = []
    listed: list[dict[str, Any]] = []
    checked = set(report.schools)
    for index, waiver in enumerate(waivers):
        expired = dt.date.fromisoformat(waiver["expires"]) < day
        # a waiver for a school this run did not check cannot have matched: it is not
        # stale (no WVR002), and its school is not made one of the run's
        in_run = not waiver["school_id"] or waiver["school_id"] in checked
        listed.append({**public(waiver), "status": "expired" if expired else "active",
                       "waived": used[index], "school_checked": in_run,
                       "location": {"file": waiver["file"], "line": waiver["line"]}})
        if expired:
            extra.append(_finding("WVR001", waiver, lang, in_run))
        elif not used[index] and in_run:
            extra.append(_finding("WVR002", waiver, lang, in_run))
    report.findings = added(report.findings, extra)
    report.waivers = listed
    for code, title in TITLES.items():
        report.titles.setdefault(code, title)
    return report


def _finding(code: str, waiver: dict[str, Any], lang: str, in_run: bool = True) -> Finding:
    """A WVR finding about ``waiver``; one about a school the run did not check (an
    expired waiver, still reported) names the school in its message only."""
    scope = waiver["school_id"] or ALL_SCHOOLS[lang]
    if waiver["match"]:
        scope += " " + ", ".join(f"{k}={v}" for k, v in waiver["match"].items())
    message = MESSAGES[code][lang].format(expires=waiver["expires"], code=waiver["code"],
                                          scope=scope, reason=waiver["reason"])
    return Finding(
        code=code,
        severity="warning",
        pack="waivers",
        school_id=waiver["school_id"] if in_run else None,
        message=message,
        location=Location(waiver["file"], waiver["line"]),
        subject={"waived_code": waiver["code"], "expires": waiver["expires"]},
        citation="",
        fingerprint=default_fingerprint(waiver["school_id"], code,
                                        {"waived_code": waiver["code"], "match": waiver["match"],
                                         "expires": waiver["expires"]}),
    )

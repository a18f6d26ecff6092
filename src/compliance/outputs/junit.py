"""``--format junit``: JUnit XML for CI dashboards.

One ``<testsuite>`` per school (plus one for findings about no school), one
``<testcase>`` per rule that ran, one ``<failure>`` per finding that counts.  A
waived finding is not a failure: it is listed in the case's ``<system-out>``, and
the waivers of the school are the suite's ``<properties>``.
"""

from __future__ import annotations

from typing import IO
from xml.etree import ElementTree as ET

from compliance.host.markers import hookimpl
from compliance.outputs.labels import clean, t
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from compliance.rules.finding import Finding


def junit_tree(report: Report, lang: str) -> ET.Element:
    """The ``<testsuites>`` element."""
    rules = sorted(set(report.checked or report.titles) | {f.code for f in report.findings})
    groups = report.by_school()
    schools = sorted(set(report.schools) | {s for s in groups if s})
    keys: list[str | None] = [*schools, *([None] if None in groups else [])]
    root = ET.Element("testsuites", name=clean(t("report_title", lang)))
    total = failures = 0
    for school_id in keys:
        findings = groups.get(school_id, [])
        label = f"{school_id} {report.schools.get(school_id, '')}".strip() if school_id \
            else t("no_school", lang)
        suite = ET.SubElement(root, "testsuite", name=clean(label))
        waivers = [w for w in report.waivers if w.get("school_id") in (None, school_id)]
        if waivers:
            props = ET.SubElement(suite, "properties")
            for w in waivers:
                ET.SubElement(props, "property", name=f"waiver {w.get('code')} ({w.get('status')})",
                              value=clean(f"{w.get('reason', '')}; {w.get('approved_by', '')}; "
                                          f"{t('expires', lang)} {w.get('expires', '')}"))
        by_code: dict[str, list[Finding]] = {}
        for f in findings:
            by_code.setdefault(f.code, []).append(f)
        suite_failures = 0
        codes = rules if school_id else sorted(by_code)
        for code in codes:
            title = report.titles.get(code, {}).get(lang, "")
            case = ET.SubElement(suite, "testcase", classname=clean(school_id or "-"),
                                 name=clean(f"{code} {title}".strip()))
            waived_lines = []
            for f in by_code.get(code, []):
                if f.waived:
                    waived_lines.append(f"{f.location}: {f.message} ({t('waived', lang)}: "
                                        f"{(f.waiver or {}).get('reason', '')})")
                    continue
                failure = ET.SubElement(case, "failure", type=f.code,
                                        message=clean(f"{f.location}: {f.message}"))
                failure.text = clean(f"{f.severity} {f.location}\n{f.message}\n{f.citation}".strip())
                suite_failures += 1
            if waived_lines:
                ET.SubElement(case, "system-out").text = clean("\n".join(waived_lines))
        suite.set("tests", str(len(codes)))
        suite.set("failures", str(suite_failures))
        suite.set("errors", "0")
        total += len(codes)
        failures += suite_failures
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    return root


class JUnitReporter:
    name = "junit"
    uses_schedules = False  # the week view's data (report.schedules) is HTML-only
    binary = False
    suffix = ".xml"

    def render(self, report: Report, out: IO[str], options: RenderOptions) -> None:
        tree = junit_tree(report, options.lang)
        ET.indent(tree)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(ET.tostring(tree, encoding="unicode"))
        out.write("\n")


@hookimpl
def compliance_reporters() -> list[JUnitReporter]:
    return [JUnitReporter()]

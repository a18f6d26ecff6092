"""A plugin kind whose personal column rejects cells: a health-check list (体检名单) whose
student ids must be 4401 and twelve digits, for tests/test_pii_everywhere.py."""

from __future__ import annotations

import re
from typing import Any

from compliance import hookimpl
from compliance.inputs.kinds import DocumentKind, Field
from compliance.inputs.values import BadValue, parse_id, parse_int, parse_text

ID_FORM = re.compile(r"^4401[0-9A-Z]{12}$")


def parse_student_id(value: Any) -> str:
    text = parse_id(value)
    if not ID_FORM.match(text):
        raise BadValue("4401 and twelve letters or digits", value)
    return text


CHECKUP = DocumentKind(
    name="checkup",
    stems=("体检名单",),
    title={"zh": "体检名单", "en": "health check list"},
    fields=[
        Field("student_id", parse_student_id, ("学号",), required=True, personal=True),
        Field("name", parse_text, ("姓名",), personal=True),
        Field("height", parse_int, ("身高",), required=True),
    ],
)


@hookimpl
def compliance_document_kinds() -> list[DocumentKind]:
    return [CHECKUP]

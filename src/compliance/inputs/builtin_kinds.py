"""The four table kinds of the submission contract, registered as a plugin."""

from __future__ import annotations

from typing import Any

from compliance.host.markers import hookimpl
from compliance.inputs.kinds import DocumentKind, Field
from compliance.inputs.periods import INSTANT_ACTIVITIES, accepted_names, activity_of
from compliance.inputs.reasons import Msg
from compliance.inputs.schedule_shaping import ScheduleShaper
from compliance.inputs.seasons import parse_season
from compliance.inputs.values import (
    BadValue,
    enum_parser,
    parse_bool,
    parse_class,
    parse_date,
    parse_grade,
    parse_id,
    parse_int,
    parse_number,
    parse_scope,
    parse_text,
    parse_time,
    parse_weekdays,
)

ACTIVITIES: dict[str, tuple[str, ...]] = {
    "lesson": ("上课", "课程", "课堂教学"),
    "morning_reading": ("早读",),
    "self_study": ("自习", "晚自习"),
    "exam": ("考试", "测验"),
    "remedial": ("补课",),
    "assembly": ("集会", "升旗", "班会"),
    "exercise": ("课间操", "大课间", "眼保健操"),
    "after_school_service": ("课后服务",),
    "club": ("社团", "兴趣小组"),
    "field_trip": ("社会实践", "研学"),
    "break": ("休息", "课间"),
    "lunch": ("午餐午休", "午餐", "午休"),
    "arrival": ("到校",),
    "dismissal": ("放学", "离校"),
}
VOLUNTARY_BY_DEFAULT = frozenset({"after_school_service", "club", "break", "lunch", "dismissal"})

BASES: dict[str, tuple[str, ...]] = {
    "nearby": ("就近", "就近入学"),
    "lottery": ("摇号", "电脑派位", "派位"),
    "assigned": ("统筹安排", "统筹"),
    "exam": ("考试",),
    "interview": ("面试",),
    "competition": ("竞赛",),
    "school_choice": ("择校",),
}

MATERIAL_TYPES: dict[str, tuple[str, ...]] = {
    "textbook": ("教材", "教科书"),
    "workbook": ("练习册",),
    "test_paper": ("试卷",),
    "guide": ("教辅", "教辅资料", "辅导书"),
    "reading": ("课外读物", "读物"),
    "other": ("其他",),
}
SUPPLEMENTARY = frozenset({"workbook", "test_paper", "guide"})

SCHOOL_ID = Field("school_id", parse_id, ("学校代码", "学校编号"))


_parse_activity_name = enum_parser(ACTIVITIES)


def _expected_of(parser: Any) -> Any:
    try:
        parser("\x00")
    except BadValue as exc:
        return exc.expected
    return ""


EXPECT_ACTIVITY = Msg("expect.activity", choices=_expected_of(_parse_activity_name),
                      names=accepted_names())


def parse_activity(value: Any) -> str:
    """An activity key or its Chinese name (``lesson``, ``上课``), or a period name as a
    school's timetable writes it (``第一节``, ``大课间``, ``午餐、午休``)."""
    try:
        return _parse_activity_name(value)
    except BadValue:
        named = activity_of(value)
        if named is None:
            raise BadValue(EXPECT_ACTIVITY, value) from None
        return named.activity


parse_activity.choices = dict(ACTIVITIES)  # type: ignore[attr-defined]  # docs and templates


def _finish_schedule(values: dict[str, Any]) -> str | Msg | None:
    if values.get("compulsory") is None:
        values["compulsory"] = values.get("activity") not in VOLUNTARY_BY_DEFAULT
    days, date = values.get("days"), values.get("date")
    if days is not None and date is not None:
        if date.isoweekday() not in days:
            return Msg("row.date_weekday_disagree", date=date.isoformat(), days=str(days))
        values["days"] = None  # the weekday only labels a dated row
    elif days is None and date is None:
        return "neither_days_nor_date"
    start, end = values.get("start"), values.get("end")
    if start is not None and end is not None and end == start:
        title = str(values.get("title") or "")
        named = activity_of(title)
        if values.get("activity") in INSTANT_ACTIVITIES or (named is not None and named.instant):
            return None  # a bell, arrival or dismissal: an instant
        return Msg("row.instant_not_allowed", time=str(start))
    if start is not None and end is not None and end < start:
        return "end_not_after_start"
    return None


SCHEDULE = DocumentKind(
    name="schedule",
    stems=("作息时间表", "作息表", "活动安排", "schedules"),
    title={"zh": "作息时间表", "en": "schedule"},
    fields=[
        SCHOOL_ID,
        Field("days", parse_weekdays, ("星期", "周次")),
        Field("date", parse_date, ("日期",)),
        Field("start", parse_time, ("开始时间", "开始"), required=True),
        Field("end", parse_time, ("结束时间", "结束"), required=True),
        Field("activity", parse_activity, ("活动类型", "活动", "类型"), required=True),
        Field("compulsory", parse_bool, ("是否强制", "强制")),
        Field("grades", parse_scope, ("年级", "适用年级", "班级")),
        Field("title", parse_text, ("内容", "名称", "说明")),
        Field("season", parse_season, ("季节", "作息季节")),
    ],
    one_of=(("days", "date"),),
    finish=_finish_schedule,
    shaper=ScheduleShaper(),
    labels={"start": {"zh": "开始时间（或 时间）", "en": "start (开始时间, or a range column 时间)"},
            "end": {"zh": "结束时间（或 时间）", "en": "end (结束时间, or a range column 时间)"},
            "activity": {"zh": "活动类型（或 节次）", "en": "activity (活动类型, or a period column 节次)"}},
)

ENROLLMENT = DocumentKind(
    name="enrollment",
    stems=("招生名单", "录取名单", "新生名单"),
    title={"zh": "招生名单", "en": "enrollment list"},
    fields=[
        Field("student_id", parse_id, ("学籍号", "学号", "学生编号"), required=True, personal=True),
        Field("name", parse_text, ("姓名", "学生姓名"), personal=True),
        SCHOOL_ID,
        Field("grade", parse_grade, ("年级", "入学年级"), required=True),
        Field("residence_zone", parse_id, ("居住学区",)),
        Field("residence_address", parse_text, ("居住地址", "家庭住址", "住址"), personal=True),
        Field("hukou_zone", parse_id, ("户籍学区",)),
        Field("migrant_worker_child", parse_bool, ("随迁子女",), default=False),
        Field("residence_permit", parse_bool, ("居住证",), default=False),
        Field("special_category", parse_text, ("优抚类别", "特殊类别")),
        Field("admission_basis", enum_parser(BASES), ("录取方式", "入学方式"), required=True),
    ],
)

MATERIALS = DocumentKind(
    name="materials",
    stems=("教辅征订", "教辅征订表", "征订单"),
    title={"zh": "教辅征订", "en": "material orders"},
    fields=[
        SCHOOL_ID,
        Field("grade", parse_grade, ("年级",), required=True),
        Field("subject", parse_text, ("学科", "科目"), required=True),
        Field("title", parse_text, ("书名", "名称"), required=True),
        Field("type", enum_parser(MATERIAL_TYPES), ("类别", "类型"), required=True),
        Field("compulsory_purchase", parse_bool, ("是否统一征订", "统一征订"), default=False),
        Field("catalog_id", parse_text, ("目录编号", "推荐目录编号")),
        Field("quantity", parse_int, ("数量",)),
        Field("unit_price", parse_number, ("单价",)),
    ],
)

NO_HOMEWORK = frozenset({"none", "无", "无作业", "no homework"})


def _finish_homework(values: dict[str, Any]) -> str | None:
    subject = values.get("subject")
    values["none"] = isinstance(subject, str) and subject.lower() in NO_HOMEWORK
    return None


HOMEWORK = DocumentKind(
    name="homework",
    stems=("作业公示", "作业公示表", "作业量公示"),
    title={"zh": "作业公示", "en": "homework log"},
    fields=[
        SCHOOL_ID,
        Field("date", parse_date, ("日期",), required=True),
        Field("class", parse_class, ("班级",), required=True),
        Field("subject", parse_text, ("学科", "科目"), required=True),
        Field("minutes", parse_int, ("预计时长", "时长", "分钟"), required=True),
        Field("written", parse_bool, ("书面作业", "是否书面"), default=True),
        Field("published", parse_bool, ("是否公示", "公示"), default=True),
    ],
    finish=_finish_homework,
    finish_reads=("subject",),
)


@hookimpl
def compliance_document_kinds() -> list[DocumentKind]:
    return [SCHEDULE, ENROLLMENT, MATERIALS, HOMEWORK]

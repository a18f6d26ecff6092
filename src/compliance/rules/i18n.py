"""Display labels for enumerated values, in Chinese and English."""

from __future__ import annotations

LABELS: dict[str, dict[str, dict[str, str]]] = {
    "activity": {
        "lesson": {"zh": "上课", "en": "lesson"},
        "morning_reading": {"zh": "早读", "en": "morning reading"},
        "self_study": {"zh": "自习", "en": "self-study"},
        "exam": {"zh": "考试", "en": "exam"},
        "remedial": {"zh": "补课", "en": "remedial class"},
        "assembly": {"zh": "集会", "en": "assembly"},
        "exercise": {"zh": "课间操", "en": "exercise"},
        "after_school_service": {"zh": "课后服务", "en": "after-school service"},
        "club": {"zh": "社团", "en": "club"},
        "field_trip": {"zh": "社会实践", "en": "field trip"},
        "break": {"zh": "休息", "en": "break"},
        "lunch": {"zh": "午餐午休", "en": "lunch"},
        "arrival": {"zh": "到校", "en": "arrival"},
        "dismissal": {"zh": "放学", "en": "dismissal"},
    },
    "weekday": {
        "1": {"zh": "周一", "en": "Monday"},
        "2": {"zh": "周二", "en": "Tuesday"},
        "3": {"zh": "周三", "en": "Wednesday"},
        "4": {"zh": "周四", "en": "Thursday"},
        "5": {"zh": "周五", "en": "Friday"},
        "6": {"zh": "周六", "en": "Saturday"},
        "7": {"zh": "周日", "en": "Sunday"},
    },
    "holiday": {
        "New Year's Day": {"zh": "元旦", "en": "New Year's Day"},
        "Spring Festival": {"zh": "春节", "en": "Spring Festival"},
        "Tomb-sweeping Day": {"zh": "清明节", "en": "Tomb-sweeping Day"},
        "Labour Day": {"zh": "劳动节", "en": "Labour Day"},
        "Dragon Boat Festival": {"zh": "端午节", "en": "Dragon Boat Festival"},
        "National Day": {"zh": "国庆节", "en": "National Day"},
        "Mid-autumn Festival": {"zh": "中秋节", "en": "Mid-autumn Festival"},
        "local": {"zh": "地方休息日", "en": "local rest day"},
        # names as the notice and declared years (calendar.yaml `official:`) write them
        "元旦": {"zh": "元旦", "en": "New Year's Day"},
        "春节": {"zh": "春节", "en": "Spring Festival"},
        "清明节": {"zh": "清明节", "en": "Tomb-sweeping Day"},
        "劳动节": {"zh": "劳动节", "en": "Labour Day"},
        "端午节": {"zh": "端午节", "en": "Dragon Boat Festival"},
        "中秋节": {"zh": "中秋节", "en": "Mid-autumn Festival"},
        "国庆节": {"zh": "国庆节", "en": "National Day"},
        "国庆节、中秋节": {"zh": "国庆节、中秋节", "en": "National Day and Mid-autumn Festival"},
    },
    "level": {
        "primary": {"zh": "小学", "en": "primary"},
        "junior": {"zh": "初中", "en": "junior"},
        "nine_year": {"zh": "九年一贯制", "en": "nine-year"},
    },
}


def label(group: str, key: str, lang: str) -> str:
    """The label of ``key`` in ``group``; the key itself when none is known."""
    entry = LABELS.get(group, {}).get(str(key))
    return entry[lang] if entry else str(key)

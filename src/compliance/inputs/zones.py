"""Catchment zones (学区): which zone an address lies in.

An address matches a zone when, after normalisation, it names one of the zone's
communities, or one of its streets with a house number in the street's range (a
street without a range matches by name alone), and names none of the zone's
``except`` communities.  :func:`match_zones` returns every zone that matches; a
caller must treat anything but exactly one as unknown (INP006), never guess.

How an address is read:

- A name (street or community) matches only as a whole name: where it starts,
  the address starts, or an administrative unit (省 市 区 县 镇 乡 街道 村), an
  address unit (号 弄 巷 栋 幢 楼 室 院) or a non-Chinese character ends.
  ``新中山路5号`` is not on ``中山路``.
- The house number is the number right after the street: ``解放路256号`` → 256.
  A number followed by 弄, 巷 or 胡同 is a lane, not a house number:
  ``解放路88弄12号`` is on lane 88 of 解放路, placed by a zone that lists the
  street without a range or the lane itself (``{street: 解放路88弄}``, house 12),
  never by 解放路's house-number range.  A number followed by 栋, 幢, 号楼,
  单元, 室, 楼 or 层 is a building or a flat, never a house number.
- Chinese numerals before such a unit are numbers: ``二百五十六号`` → ``256号``,
  ``三弄`` → ``3弄``; numerals that are part of a name (``五一路``, ``三里屯``)
  stay as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from compliance.inputs.model import Zone

_SPACE = re.compile(r"\s+")

# units after which a name may start (the end of the place that contains it)
_ADMIN = "省市区县镇乡道村旗"
# words that end one place and start the next: 对面, 旁边, 附近, 与
_BETWEEN = "面边旁近与和及"
_UNITS = "号弄巷栋幢楼室院层"
LANES = ("弄", "巷", "胡同")
# a number followed by one of these is not a house number
NOT_HOUSE = ("号楼", "栋", "幢", "单元", "室", "楼", "层", *LANES)

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_UNITS = ("号", "弄", "巷", "栋", "幢", "单元", "室", "楼", "层")
_NUMERAL = re.compile("([零〇一二两三四五六七八九十百千]+)(?=" + "|".join(_NUMERAL_UNITS) + ")")


def chinese_number(text: str) -> int | None:
    """``二百五十六`` → 256, ``十二`` → 12, ``二〇一`` → 201; ``None`` if malformed."""
    if not any(ch in _POWERS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text)) if text else None
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and _DIGITS[ch] != 0:
                return None  # two digits in a row in positional form: 二三百
            digit = _DIGITS[ch] or None
        else:
            total += (1 if digit is None else digit) * _POWERS[ch]
            digit = None
    return total + (digit or 0)


def _arabic(match: re.Match[str]) -> str:
    value = chinese_number(match.group(1))
    return match.group(1) if value is None else str(value)


def normalise_address(address: str) -> str:
    """The address as matching sees it.

    Full-width characters become half-width (``２５６`` → ``256``), every space
    goes, the traditional ``號`` becomes ``号`` and Chinese numerals before an
    address unit become digits (``二百五十六号`` → ``256号``).
    """
    text = unicodedata.normalize("NFKC", str(address))
    text = _SPACE.sub("", text).replace("號", "号")
    return _NUMERAL.sub(_arabic, text)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _starts_a_name(address: str, index: int) -> bool:
    """Whether a name found at ``index`` stands whole, not as the tail of a longer name."""
    if index == 0:
        return True
    before = address[index - 1]
    return not _is_cjk(before) or before in _ADMIN or before in _UNITS or before in _BETWEEN


def mentions(address: str, name: str) -> list[int]:
    """Where ``name`` stands as a whole name in ``address``: the index after each mention."""
    out, start = [], 0
    while name and (index := address.find(name, start)) >= 0:
        if _starts_a_name(address, index):
            out.append(index + len(name))
        start = index + 1
    return out


_NUMBER = re.compile(r"\d+")


def house_numbers(address: str, street: str) -> list[int]:
    """House numbers written right after each whole mention of ``street``
    (``解放路256号`` → 256); a lane (``88弄``) or a building (``3栋``) is none."""
    out = []
    for end in mentions(address, street):
        found = _NUMBER.match(address, end)
        if found and not address.startswith(NOT_HOUSE, found.end()):
            out.append(int(found.group()))
    return out


def _on_street(address: str, street: str, lo: int | None, hi: int | None) -> bool:
    street = normalise_address(street)
    if not street or not mentions(address, street):
        return False
    if lo is None and hi is None:
        return True
    return any((lo is None or n >= lo) and (hi is None or n <= hi)
               for n in house_numbers(address, street))


def _names(address: str, names: list[str]) -> bool:
    return any(mentions(address, normalise_address(name)) for name in names if name)


def address_in_zone(address: str, zone: Zone) -> bool:
    """Whether ``address`` (normalised or not) lies in ``zone``, carve-outs applied."""
    text = normalise_address(address)
    if _names(text, zone.excepts):
        return False
    if _names(text, zone.communities):
        return True
    return any(_on_street(text, street, lo, hi) for street, lo, hi in zone.streets)


def match_zones(address: str, zones: Mapping[str, Zone]) -> list[str]:
    """The codes of every zone ``address`` lies in, sorted; empty when none."""
    return sorted(code for code, zone in zones.items() if address_in_zone(address, zone))

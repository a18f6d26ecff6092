"""Catchment zones (学区): which zone an address lies in.

An address matches a zone when, after normalisation, it contains one of the
zone's community names, or names one of its streets with a house number in the
street's range (a street without a range matches by name alone), and names
none of the zone's ``except`` communities.  :func:`match_zones` returns every
zone that matches; a caller must treat anything but exactly one as unknown
(INP006), never guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from compliance.inputs.model import Zone

_SPACE = re.compile(r"\s+")


def normalise_address(address: str) -> str:
    """The address as matching sees it.

    Full-width characters become half-width (``２５６`` → ``256``), every space
    goes, and the traditional ``號`` becomes ``号``.
    """
    text = unicodedata.normalize("NFKC", str(address))
    return _SPACE.sub("", text).replace("號", "号")


def _house_numbers(address: str, street: str) -> list[int]:
    """House numbers written right after each mention of ``street`` (``解放路256号`` → 256)."""
    pattern = re.compile(re.escape(street) + r"(\d+)")
    return [int(m.group(1)) for m in pattern.finditer(address)]


def _on_street(address: str, street: str, lo: int | None, hi: int | None) -> bool:
    street = normalise_address(street)
    if not street or street not in address:
        return False
    if lo is None and hi is None:
        return True
    return any((lo is None or n >= lo) and (hi is None or n <= hi)
               for n in _house_numbers(address, street))


def address_in_zone(address: str, zone: Zone) -> bool:
    """Whether ``address`` (normalised or not) lies in ``zone``, carve-outs applied."""
    text = normalise_address(address)
    if any(normalise_address(name) in text for name in zone.excepts if name):
        return False
    if any(normalise_address(name) in text for name in zone.communities if name):
        return True
    return any(_on_street(text, street, lo, hi) for street, lo, hi in zone.streets)


def match_zones(address: str, zones: Mapping[str, Zone]) -> list[str]:
    """The codes of every zone ``address`` lies in, sorted; empty when none."""
    return sorted(code for code, zone in zones.items() if address_in_zone(address, zone))

"""Catchment zone matching (学区): communities, house-number ranges, carve-outs, normalisation."""

from __future__ import annotations

import pytest

from compliance.inputs.model import Location, Zone
from compliance.inputs.zones import address_in_zone, match_zones, normalise_address

HERE = Location("zones.yaml")
ZONES = {
    "Z01": Zone("Z01", "一学区", ["桃源小区", "华府家园"],
                [("解放路", 1, 199), ("中山路", None, None)], ["卫华住宅小区"], HERE),
    "Z02": Zone("Z02", "二学区", ["卫华住宅小区", "锦绣花园"], [("解放路", 200, 399)], [], HERE),
    "Z03": Zone("Z03", "三学区", [], [("人民路", 100, None)], [], HERE),
}


@pytest.mark.parametrize(("address", "zones"), [
    ("中山区桃源小区5栋1单元", ["Z01"]),
    ("中山区解放路1号", ["Z01"]),
    ("中山区解放路199号", ["Z01"]),
    ("中山区解放路200号", ["Z02"]),
    ("中山区解放路399号3单元", ["Z02"]),
    ("中山区解放路400号", []),
    ("中山区中山路18号", ["Z01"]),
    ("中山路", ["Z01"]),
    ("人民路5000号", ["Z03"]),
    ("人民路99号", []),
    ("幸福路8号", []),
    ("", []),
])
def test_address_matches_the_expected_zones(address: str, zones: list[str]) -> None:
    assert match_zones(address, ZONES) == zones


def test_address_inside_an_except_community_does_not_match_that_zone() -> None:
    address = "中山区中山路88号卫华住宅小区7栋"
    assert not address_in_zone(address, ZONES["Z01"])
    assert match_zones(address, ZONES) == ["Z02"]


def test_a_ranged_street_without_a_house_number_does_not_match() -> None:
    assert match_zones("中山区解放路东口", ZONES) == []


def test_full_width_digits_spaces_and_traditional_hao_are_normalised() -> None:
    assert normalise_address(" 解放路 ２５６ 號 ") == "解放路256号"
    assert match_zones("中山区 解放路 ２５６号", ZONES) == ["Z02"]
    assert match_zones("中山区解放路 １９９ 号", ZONES) == ["Z01"]


def test_an_address_matching_two_zones_returns_both() -> None:
    # A community of Z02 on a street of Z01 with no carve-out in Z01 for it.
    assert match_zones("中山路9号锦绣花园", ZONES) == ["Z01", "Z02"]


def test_every_number_after_the_street_is_tried() -> None:
    assert match_zones("解放路500号对面解放路12号", ZONES) == ["Z01"]


def test_zones_read_from_the_fixture_zones_yaml() -> None:
    from compliance.inputs.school_files import parse_zones
    from compliance.inputs.yaml_reader import load_text
    from tests.packs_support import PACKS

    path = PACKS / "district" / "zones.yaml"
    problems: list = []
    zones = parse_zones(load_text(path.read_text(encoding="utf-8")), Location(str(path)), problems)
    assert problems == []
    assert match_zones("中山路88号卫华住宅小区", zones) == ["Z02"]
    assert match_zones("滨江大道1号", zones) == ["Z03"]
    assert match_zones("解放路２０号", zones) == ["Z01"]

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


# -- a table of real-looking addresses ------------------------------------------------

CITY = {
    "Z01": Zone("Z01", "一学区", ["桃源小区", "华府家园"],
                [("解放路", 1, 199), ("中山路", None, None)], ["卫华住宅小区"], HERE),
    "Z02": Zone("Z02", "二学区", ["卫华住宅小区", "锦绣花园"],
                [("解放路", 200, 399), ("新中山路", None, None), ("解放路88弄", None, None)],
                [], HERE),
    "Z03": Zone("Z03", "三学区", ["阳光小区"], [("人民路", 100, 299), ("南锣鼓巷", None, None),
                                            ("五一路", 1, 50)], [], HERE),
}


@pytest.mark.parametrize(("address", "zones"), [
    # whole street names: 新中山路 is not 中山路
    ("中山区新中山路5号", ["Z02"]),
    ("新中山路5号", ["Z02"]),
    ("浙江省杭州市中山区中山路18号", ["Z01"]),
    ("中山路18号", ["Z01"]),
    ("老中山路18号", []),
    # lanes: the lane number is not a house number
    ("解放路88弄12号", ["Z02"]),           # the lane is listed in Z02
    ("解放路120弄3号", []),                # a lane of a ranged street: cannot be placed
    ("解放路 120 弄 3 号 502 室", []),
    ("中山路3巷7号", ["Z01"]),             # a lane of a whole street is on it
    ("中山路十二胡同4号", ["Z01"]),
    ("东城区南锣鼓巷59号", ["Z03"]),       # 巷 in a street's own name
    # buildings and flats after the house number
    ("解放路256号3栋2单元501室", ["Z02"]),
    ("解放路150号5幢1202室", ["Z01"]),
    ("解放路5栋", []),                     # a building, no house number
    ("解放路18号楼302室", []),             # building 18, not house 18
    # Chinese numerals
    ("解放路二百五十六号", ["Z02"]),
    ("解放路一百零五号", ["Z01"]),
    ("解放路十二号", ["Z01"]),
    ("解放路二〇一号", ["Z02"]),
    ("解放路三百九十九号二单元", ["Z02"]),
    ("解放路四百号", []),
    ("人民路一百二十号", ["Z03"]),
    ("五一路三号", ["Z03"]),               # 五一 is part of the name, 三 a number
    ("五一路五十一号", []),
    # communities stand whole too
    ("中山区阳光小区6栋", ["Z03"]),
    ("人民路300号新阳光小区", []),
    ("解放路12号锦绣花园3栋", ["Z01", "Z02"]),  # two zones: the caller reports INP006
    ("幸福路8号", []),
])
def test_a_table_of_real_looking_addresses(address: str, zones: list[str]) -> None:
    assert match_zones(address, CITY) == zones


@pytest.mark.parametrize(("text", "value"), [
    ("二百五十六", 256), ("十二", 12), ("十", 10), ("一百零五", 105), ("二〇一", 201),
    ("三千零二十", 3020), ("两百", 200), ("二三百", None),
])
def test_chinese_numerals(text: str, value: int | None) -> None:
    from compliance.inputs.zones import chinese_number

    assert chinese_number(text) == value


def test_an_unplaceable_lane_address_is_inp006_not_a_guess(compliance_check) -> None:
    from tests.conftest import SAMPLES

    district = SAMPLES / "zhongshan"
    school = {"id": "T-009", "name": "测试学校", "level": "primary", "area": "urban",
              "district": "中山区", "catchment": ["Z01"], "classes": ["1-1"],
              "terms": [{"name": "秋", "start": "2025-09-01", "end": "2026-01-16"}]}
    rows = [{"student_id": f"G11010120180101001{i}", "name": "张小明", "grade": 1,
             "residence_address": address, "admission_basis": "nearby"}
            for i, address in enumerate( ("中山区解放路88弄12号", "中山区新中山路5号", "中山区解放路一百号"))]
    import shutil
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "district"
        root.mkdir()
        shutil.copy(district / "zones.yaml", root / "zones.yaml")
        from compliance.verify import write_school

        write_school(root / "t-009", {"enrollment": rows}, school)
        result = compliance_check(root, select=["ENR", "INP006"], entry_points=False)
    assert sorted(result.lines("INP006")) == [2, 3]
    assert result.of("ENR001") == []

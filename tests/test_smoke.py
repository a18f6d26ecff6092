from compliance.host.engine import Engine, RunOptions
from tests.conftest import SAMPLES


def test_violating_sample_triggers_every_hrs_and_hol_code() -> None:
    report = Engine(RunOptions(profile="national-2021", entry_points=False)).check(
        [str(SAMPLES / "zhongshan")]
    )
    codes = {f.code for f in report.findings}
    assert {"HRS001", "HRS002", "HRS003", "HRS004", "HOL001", "HOL002", "HOL003",
            "HOL004"} <= codes

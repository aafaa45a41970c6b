"""The landing zone script is deterministic and LandingZone reports missing files clearly."""

import pytest

from platform_lib import LandingFileError, LandingZone


def file_bytes(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_same_seed_gives_identical_files_and_another_seed_differs(
    tmp_path, landing_zone, run_landing_script
):
    run_landing_script(tmp_path / "again")
    run_landing_script(tmp_path / "other", "--seed", "8")
    assert file_bytes(tmp_path / "again") == file_bytes(landing_zone)
    assert file_bytes(tmp_path / "other") != file_bytes(landing_zone)


def test_scale_grows_every_file(tmp_path, landing_manifest, run_landing_script):
    run_landing_script(tmp_path / "big", "--scale", "2")
    big = LandingZone(path=str(tmp_path / "big"))
    for name, rows in landing_manifest["rows"].items():
        assert len(big.read(name)) > 1.5 * rows, name


def test_a_missing_landing_file_says_how_to_make_it(tmp_path):
    with pytest.raises(LandingFileError, match="make landing"):
        LandingZone(path=str(tmp_path)).read("clients.csv")


def test_if_missing_regenerates_only_when_a_file_is_gone(tmp_path, run_landing_script):
    zone = tmp_path / "zone"
    run_landing_script(zone)
    (zone / "clients.csv").unlink()
    marker = zone / "orders.parquet"
    run_landing_script(zone, "--if-missing")
    assert (zone / "clients.csv").exists()
    stamp = marker.stat().st_mtime_ns
    run_landing_script(zone, "--if-missing")
    assert marker.stat().st_mtime_ns == stamp  # complete: left alone

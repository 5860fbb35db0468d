"""mgscope.hrtem_series against `mgscope hrtem FILE --frames ... --sum ...` on a synthetic nucleation stack."""
import json

import pytest

import mgscope
from conftest import assert_table_equals_csv, cli_error, read_csv, run_cli


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """7 frames of 400 x 400 px (16 boxes), ordered 4 % -> 30 %, 1.5 s apart (ImageJ finterval)."""
    d = tmp_path_factory.mktemp("series")
    run_cli("synth", "hrtem", "-o", d, "--name", "grow", "--width", "400", "--height", "400", "--frames", "7",
            "--ordered-fraction-start", "0.04", "--ordered-fraction", "0.3", "--frame-interval", "1.5", "--seed", "4")
    return d / "grow.tif"


def cli_series(stack, out, *options):
    run_cli("hrtem", stack, "-o", out, *options)
    folder = out / "grow"
    return json.loads((folder / "summary.json").read_text()), read_csv(folder / "series.csv")


@pytest.mark.parametrize("frames,sum_,align", [("all", 1, True), ("1:6", 2, True), ("1:6", 2, False)])
def test_the_numbers_are_the_commands(stack, tmp_path, frames, sum_, align):
    cli, rows = cli_series(stack, tmp_path, "--frames", frames, "--sum", str(sum_), *([] if align else ["--no-align"]))
    r = mgscope.hrtem_series(stack, frames=frames, sum=sum_, align=align, pandas=False)
    # No folder or file is written here: the points come back as a table instead.
    summary_keys = ("points", "status", "message", "usable")  # the result convention's, not summary.json's
    assert {k: v for k, v in r.items() if k not in summary_keys} == {
        k: v for k, v in cli.items() if k not in ("kept_points", "files")}
    assert_table_equals_csv(r["points"], rows)
    assert len(rows) == (7 if sum_ == 1 else 3)
    # The frames of one place drift by a few hundredths of a pixel at most (measured with align=False
    # too, where it tells whether the unaligned average is striped).
    drift = r["points"]["drift_nm"]
    assert all(d != d for d in drift) if sum_ == 1 else all(0 <= d < 0.2 * 0.0199 for d in drift)
    # Nor does the specimen move from point to point. Its crystals grow between frames, which moves
    # a link's peak by up to 0.57 px here (frame 0 to 1; 0.1 px for the others): within a pixel.
    for axis in ("specimen_shift_x_nm", "specimen_shift_y_nm"):
        assert all(abs(x) < 0.0199 for x in r["points"][axis]), r["points"][axis]
    assert all(v > 0.997 for v in r["points"]["first_field_in_view"])
    assert r["series"]["specimen"]["lost_at_point"] is None


def test_points_hold_the_growth_and_the_file_time(stack):
    r = mgscope.hrtem_series(stack, pandas=False)
    assert (r["status"], r["message"], r["usable"]) == ("Success", "7 points analysed", True)
    p = r["points"]
    assert list(p["first_frame"]) == list(range(7))
    assert list(p["time"]) == pytest.approx([1.5 * k for k in range(7)], abs=1e-12)
    assert set(p["time_basis"]) == {"s"}
    assert r["series"]["time"]["source"] == "ImageJ finterval"
    # 16 boxes a frame: the last frame's order is well above the first's.
    assert p["ordered_box_fraction"][-1] - p["ordered_box_fraction"][0] >= 0.15
    assert r["threshold"]["calibrated_on_frame"] == 0


def test_frames_left_over_are_said(stack):
    r = mgscope.hrtem_series(stack, frames="0:6", sum=3, area=False, pandas=False)
    assert r["series"]["frames_left_over"] == [6, 6]
    assert any("left out" in w and "--sum 3" in w for w in r["warnings"]), r["warnings"]
    assert list(r["points"]["last_frame"]) == [2, 5]
    assert r["ordered_area_fraction"] is None


def test_bad_selections_raise_the_commands_errors(stack, tmp_path):
    with pytest.raises(mgscope.InputError) as e:
        mgscope.hrtem_series(stack, frames="3:20")
    assert str(e.value) == cli_error("hrtem", stack, "-o", tmp_path, "--frames", "3:20")
    assert "the file holds 7 frame(s), 0 to 6" in str(e.value)
    with pytest.raises(mgscope.InputError):
        mgscope.hrtem_series(stack, frames="some")
    with pytest.raises(ValueError, match="sum"):
        mgscope.hrtem_series(stack, sum=0)
    with pytest.raises(ValueError, match="align=False needs sum"):
        mgscope.hrtem_series(stack, align=False)
    with pytest.raises(ValueError, match="window"):
        mgscope.hrtem_series(stack, window="square")
    with pytest.raises(mgscope.InputError, match="nothing.tif"):
        mgscope.hrtem_series(tmp_path / "nothing.tif")


def test_points_as_a_dataframe(stack):
    pd = pytest.importorskip("pandas")
    p = mgscope.hrtem_series(stack, frames="0:1", area=False)["points"]
    assert isinstance(p, pd.DataFrame)
    assert p["boxes"].dtype == "int64" and p["ordered_box_fraction"].dtype == "float64"


def test_progress_sees_every_point_in_order_and_can_stop_the_series(stack):
    seen = []
    r = mgscope.hrtem_series(stack, area=False, progress=seen.append, pandas=False)
    assert [p["point"] for p in seen] == list(range(7)) and {p["points"] for p in seen} == {7}
    assert [p["ordered_box_fraction"] for p in seen] == list(r["points"]["ordered_box_fraction"])
    for key in ("specimen_shift_x_nm", "specimen_shift_y_nm", "first_field_in_view"):
        # The table holds series.csv's 6 significant digits; progress the full numbers.
        assert [p[key] for p in seen] == pytest.approx(list(r["points"][key]), rel=1e-5, abs=1e-12), key
    assert all(p["ordered_area_fraction"] != p["ordered_area_fraction"] for p in seen)  # NaN: area=False

    class Enough(Exception):
        pass

    def stop_after_two(p):
        if p["point"] == 1:
            raise Enough("two points are enough")

    with pytest.raises(Enough):
        mgscope.hrtem_series(stack, area=False, progress=stop_after_two)


def test_a_folder_of_one_frame_per_file_is_read_in_natural_order(tmp_path):
    """Three single-frame files named f_10, f_2, f_1: frames f_1, f_2, f_10, as the command reads them."""
    import shutil
    folder = tmp_path / "insitu"
    folder.mkdir()
    for seed, name in ((1, "f_10"), (2, "f_2"), (3, "f_1")):
        run_cli("synth", "hrtem", "-o", tmp_path / "src", "--name", name, "--width", "300", "--height", "300",
                "--seed", str(seed))
        shutil.copy(tmp_path / "src" / (name + ".tif"), folder / (name + ".tif"))
    seen = []
    r = mgscope.hrtem_series(folder, pandas=False, progress=lambda p: seen.append(p["file"]))
    assert seen == ["f_1.tif", "f_2.tif", "f_10.tif"]
    assert list(r["points"]["file"]) == seen
    assert r["series"]["frames_in_file"] == 3
    run_cli("hrtem", folder, "-o", tmp_path / "out", "--frames", "all")
    assert_table_equals_csv(r["points"], read_csv(tmp_path / "out" / "insitu" / "series.csv"))


def test_overview_png_is_the_commands_overview(stack, tmp_path):
    """overview=True gives the command's overview.png, byte for byte; the numbers are those without it."""
    run_cli("hrtem", stack, "-o", tmp_path, "--frames", "all")
    r = mgscope.hrtem_series(stack, overview=True, pandas=False)
    assert r["overview_png"] == (tmp_path / "grow" / "overview.png").read_bytes()
    plain = mgscope.hrtem_series(stack, pandas=False)
    assert "overview_png" not in plain
    assert {k: v for k, v in r.items() if k not in ("overview_png", "points")} == {
        k: v for k, v in plain.items() if k != "points"}


def test_a_frame_without_specimen_is_na_with_its_reason(stack, tmp_path):
    """Frame 3 replaced by dark noise (beam blanked, 2 counts a pixel): n/a with its reason, as the command says."""
    np = pytest.importorskip("numpy")
    tifffile = pytest.importorskip("tifffile")
    frames = tifffile.imread(stack)
    frames[3] = np.random.default_rng(3).poisson(2.0, size=frames[3].shape).astype(frames.dtype)
    dark = tmp_path / "dark.tif"
    tifffile.imwrite(dark, frames, imagej=True, resolution=(1 / 0.0199, 1 / 0.0199),
                     metadata={"unit": "nm", "finterval": 1.5, "axes": "TYX"})
    points = mgscope.hrtem_series(dark, pandas=False)["points"]
    assert list(points["boxes"]) == [16, 16, 16, 0, 16, 16, 16]
    fractions = points["ordered_box_fraction"]
    assert fractions[3] != fractions[3] and all(f == f for k, f in enumerate(fractions) if k != 3)
    assert points["warning_texts"][3].startswith("no specimen contrast: the median band-to-noise ratio")
    run_cli("hrtem", dark, "-o", tmp_path / "out", "--frames", "all")
    assert_table_equals_csv(points, read_csv(tmp_path / "out" / "dark" / "series.csv"))

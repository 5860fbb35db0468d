"""mgscope.hrtem and read_image against `mgscope hrtem` on the bundled samples."""
import concurrent.futures
import json
import sys
import warnings

import numpy as np
import pytest

import mgscope
from conftest import SOURCE_DIR, assert_table_equals_csv, cli_error, read_csv, run_cli

ASCAST = "samples/hrtem/ascast_1.tif"
TREATED = "samples/hrtem/treated_1.tif"
EXTRA_KEYS = {"tiles", "status", "message", "usable", "area_blocks", "area_bootstrap_resamples", "seed", "notes",
              "spot_calibration"}


@pytest.fixture(scope="module")
def cli_outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("hrtem")
    run_cli("hrtem", ASCAST, TREATED, "-o", out, "--threshold-each-image")  # each as alone, as mgscope.hrtem
    return out


@pytest.fixture(scope="module")
def results():
    import os
    cwd = os.getcwd()
    os.chdir(SOURCE_DIR)  # paths as the CLI is given them
    try:
        return [mgscope.hrtem(p, pandas=False) for p in (ASCAST, TREATED)]
    finally:
        os.chdir(cwd)


def test_summary_equals_cli_summary_json(cli_outputs, results):
    for result, stem in zip(results, ("ascast_1", "treated_1")):
        cli = json.loads((cli_outputs / stem / "summary.json").read_text())
        ours = {k: v for k, v in result.items() if k not in EXTRA_KEYS}
        assert ours == cli
        assert result["status"] == "Success" and result["usable"]


def test_tiles_equal_cli_tiles_csv(cli_outputs, results):
    for result, stem in zip(results, ("ascast_1", "treated_1")):
        rows = read_csv(cli_outputs / stem / "tiles.csv")
        tiles = result["tiles"]
        assert tiles["box"].dtype == np.int64 and tiles["spot1_d_nm"].dtype == np.float64
        assert_table_equals_csv(tiles, rows)


def test_combined_equals_cli_combined_csv(cli_outputs, results):
    assert mgscope.hrtem_combined_csv(results) == (cli_outputs / "combined.csv").read_text()
    table = mgscope.hrtem_combined(results, pandas=False)
    assert_table_equals_csv(table, read_csv(cli_outputs / "combined.csv"))
    assert list(table["image"]) == [ASCAST, TREATED, "pooled"]


def test_doubts_are_python_warnings_naming_the_file():
    """A doubt kept only in the result's `warnings` was the log file nobody reads: each text also comes
    as a mgscope.DoubtWarning, once, naming the file, at the caller's line; a result without doubts
    warns of nothing."""
    path = str(SOURCE_DIR / ASCAST)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = mgscope.hrtem(path, pandas=False)
    doubts = [w for w in caught if issubclass(w.category, mgscope.DoubtWarning)]
    expected = list(dict.fromkeys(r["warnings"] + r["nanocrystals"]["warnings"]))
    assert [str(w.message) for w in doubts] == [f"mgscope.hrtem({path!r}): {text}" for text in expected]
    assert any("no more than false alarms can give" in text for text in expected), expected
    assert {w.filename for w in doubts} == {__file__}
    assert issubclass(mgscope.DoubtWarning, UserWarning)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x = np.array([50.0, 80, 120, 200, 300])
        fit = mgscope.fit_power_law(x, 3 * x ** 1.5)
    assert fit["warnings"] == [] and caught == []


def test_pandas_frame_when_pandas_is_there(results):
    pandas = pytest.importorskip("pandas", reason="pandas not installed: the dict-of-arrays table is tested instead")
    frame = mgscope.hrtem_combined(results)
    assert isinstance(frame, pandas.DataFrame) and list(frame["boxes"]) == [100, 100, 200]


def test_read_image_is_a_view_with_the_file_calibration(results):
    img = mgscope.read_image(SOURCE_DIR / ASCAST)
    px = img["pixels"]
    assert px.dtype == np.uint16 and px.shape == (1024, 1024)
    assert not px.flags.owndata and px.base is not None  # views the reader's buffer
    cal = img["calibration"]
    assert cal["calibrated"] and cal["pixel_x_nm"] == results[0]["calibration"]["pixel_nm"]
    assert cal["pixel_y_nm"] == cal["pixel_x_nm"] and cal["source"] == results[0]["calibration"]["source"]
    assert img["format"] == "TIFF" and img["frames"] == 1


def test_read_image_result_and_array_give_the_path_numbers(results):
    img = mgscope.read_image(SOURCE_DIR / ASCAST)
    again = mgscope.hrtem(img, name=ASCAST, pandas=False)
    assert again["classes"] == results[0]["classes"] and again["threshold"] == results[0]["threshold"]
    arr = mgscope.hrtem(img["pixels"], pixel_nm=img["calibration"]["pixel_x_nm"], name=ASCAST, pandas=False)
    assert arr["classes"] == results[0]["classes"]
    assert np.array_equal(arr["tiles"]["max_whitened"], results[0]["tiles"]["max_whitened"])
    assert arr["calibration"]["source"] == "--pixel-size"
    named = mgscope.hrtem(SOURCE_DIR / ASCAST, name="as-cast 1", pandas=False)
    assert named["input"]["path"] == "as-cast 1" and named["classes"] == results[0]["classes"]


@pytest.fixture(scope="module")
def crop():
    """A 400 x 400 px corner (16 boxes) keeps the dtype sweep fast."""
    return mgscope.read_image(SOURCE_DIR / TREATED)["pixels"][:400, :400].copy()


def small(a, **kw):
    return mgscope.hrtem(a, pixel_nm=0.0199, null_boxes=200, pandas=False, **kw)


def test_every_dtype_and_layout(crop):
    reference = small(crop)
    assert reference["boxes"]["count"] == 16
    exact = [np.int32, np.uint32, np.int64, np.uint64, np.float32, np.float64]  # hold uint16 values exactly
    for dtype in exact:
        r = small(crop.astype(dtype))
        assert r["classes"] == reference["classes"], dtype
        assert np.array_equal(r["tiles"]["max_whitened"], reference["tiles"]["max_whitened"]), dtype
    for dtype in (np.uint8, np.int8, np.int16, np.uint16, np.float16, np.longdouble):
        r = small((crop // 256).astype(dtype))
        assert r["status"] == "Success" and r["boxes"]["count"] == 16, dtype
    # Views that are not C-contiguous, and a byte-swapped copy, give the numbers of their contiguous copies.
    big = np.zeros((800, 800), np.uint16)
    big[::2, ::2] = crop
    for view in (big[::2, ::2], np.asfortranarray(crop), crop.T.copy().T, crop.astype(">u2")):
        r = small(view)
        assert np.array_equal(r["tiles"]["max_whitened"], reference["tiles"]["max_whitened"])
    flipped = crop[::-1, :]
    assert small(flipped)["classes"] == small(np.ascontiguousarray(flipped))["classes"]
    # The conversions hold no reference to the caller's array after the call (no leaked references).
    view = big[::2, ::2]
    before = (sys.getrefcount(view), sys.getrefcount(big))
    small(view)
    assert (sys.getrefcount(view), sys.getrefcount(big)) == before


def test_refused_arrays_raise_clear_errors(crop):
    with pytest.raises(ValueError, match="bool arrays are not measurements"):
        small(crop > 1000)
    with pytest.raises(ValueError, match="complex"):
        small(crop.astype(np.complex64))
    with pytest.raises(ValueError, match="expected a 2-D image"):
        small(crop[None])
    with pytest.raises(mgscope.InputError, match="^array: an array carries no pixel size; pass pixel_nm="):
        mgscope.hrtem(crop)
    with pytest.raises(ValueError, match="window: 'hanning' is not one of"):
        small(crop, window="hanning")
    with pytest.raises(ValueError, match="box"):
        small(crop, box_nm=-1)


def test_bad_files_raise_the_cli_message(tmp_path):
    garbage = tmp_path / "garbage.tif"
    garbage.write_bytes(b"this is not an image at all\n" * 4)
    truncated = tmp_path / "truncated.tif"
    truncated.write_bytes((SOURCE_DIR / ASCAST).read_bytes()[:3000])
    for bad in (garbage, truncated, tmp_path / "missing.dm3"):
        message = cli_error("hrtem", bad, "-o", tmp_path / "out")
        with pytest.raises(mgscope.InputError) as caught:
            mgscope.read_image(bad)
        assert str(caught.value) == message
        with pytest.raises(ValueError) as caught:  # InputError is a ValueError
            mgscope.hrtem(bad)
        assert str(caught.value) == message


class Axis:
    def __init__(self, scale, units, offset=0.0):
        self.scale, self.units, self.offset = scale, units, offset


class AxesManager:
    def __init__(self, axes):
        self.signal_axes = tuple(axes)


class StandInSignal2D:
    """What hrtem() reads of a HyperSpy Signal2D: .data (y, x) and .axes_manager.signal_axes (x, y)."""

    def __init__(self, data, scale, units):
        self.data = data
        self.axes_manager = AxesManager([Axis(scale, units), Axis(scale, units)])


def test_hyperspy_signal_scale_and_units(crop):
    reference = small(crop)
    for scale, units in ((0.0199, "nm"), (0.199, "Å"), (1.99e-5, "µm")):
        r = mgscope.hrtem(StandInSignal2D(crop, scale, units), null_boxes=200, pandas=False)
        assert r["calibration"]["pixel_nm"] == pytest.approx(0.0199, rel=1e-12)
        assert r["calibration"]["source"].startswith("HyperSpy axes_manager scale, units=")
        assert r["classes"] == reference["classes"] and r["boxes"]["side_px"] == 100
        assert r["input"]["path"] == "Signal2D"
    with pytest.raises(mgscope.InputError, match="^Signal2D: the signal axes carry no length unit"):
        mgscope.hrtem(StandInSignal2D(crop, 1.0, "px"))
    with pytest.raises(mgscope.InputError, match=r"^Signal2D: a stack of \(2, 400, 400\) pixels; pass one image"):
        mgscope.hrtem(StandInSignal2D(np.stack([crop, crop]), 0.0199, "nm"))


def test_threads_and_concurrent_calls_give_the_same_numbers(crop):
    reference = small(crop, threads=1)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # the GIL is released during the work
        for r in pool.map(lambda t: small(crop, threads=t), (2, 0, 1, 2)):
            assert r["classes"] == reference["classes"] and r["threshold"] == reference["threshold"]


ASCAST_2 = "samples/hrtem/ascast_2.tif"


@pytest.fixture(scope="module")
def dose_image(tmp_path_factory):
    """The samples' glass at four times their dose (1600 counts a pixel): another radial spectrum."""
    folder = tmp_path_factory.mktemp("hrtem_dose")
    run_cli("synth", "hrtem", "-o", folder, "--name", "dose", "--ordered-fraction", "0.04", "--dose", "1600",
            "--seed", "8")
    return str(folder / "dose.tif")


@pytest.fixture(scope="module")
def cli_batch_outputs(tmp_path_factory, dose_image):
    out = tmp_path_factory.mktemp("hrtem_once")
    run_cli("hrtem", ASCAST, TREATED, ASCAST_2, dose_image, "-o", out)  # the default: one calibration, on the first
    return out


def in_source_dir(call):
    import os
    cwd = os.getcwd()
    os.chdir(SOURCE_DIR)  # paths as the CLI is given them
    try:
        return call()
    finally:
        os.chdir(cwd)


def without_description(summary):
    out = json.loads(json.dumps(summary))
    out["threshold"].pop("description")
    return out


def test_threshold_from_gives_the_batch_numbers(cli_batch_outputs, results, dose_image):
    first = results[0]
    calibration = first["spot_calibration"]
    assert isinstance(calibration, mgscope.SpotCalibration)
    assert calibration.level == first["threshold"]["whitened_level"] and calibration.source == ASCAST
    assert calibration.box_px == 100 and calibration.pixel_nm == first["calibration"]["pixel_nm"]
    # treated_1's and ascast_2's radial spectra (the same imaging conditions) are 0.07 and 0.06 from
    # ascast_1's on their grid boxes (they take the level), the image at four times the dose's far more
    # (it calibrates its own): both ways give the command's numbers.
    for path, stem, taken in ((TREATED, "treated_1", True), (ASCAST_2, "ascast_2", True),
                              (dose_image, "dose", False)):
        ours = in_source_dir(lambda: mgscope.hrtem(path, threshold_from=first, pandas=False))
        cli = json.loads((cli_batch_outputs / stem / "summary.json").read_text())
        assert without_description({k: v for k, v in ours.items() if k not in EXTRA_KEYS}) == without_description(cli)
        assert_table_equals_csv(ours["tiles"], read_csv(cli_batch_outputs / stem / "tiles.csv"))
        description = ours["threshold"]["description"]
        if taken:
            assert ours["spot_calibration"] is calibration and ours["notes"] == []
            assert ours["threshold"]["whitened_level"] == calibration.level
            assert description.startswith("reused: calibrated on " + ASCAST + " and passed by threshold_from: ")
            assert 0 < ours["threshold"]["spectrum_mismatch_from_reused"] <= 0.2
        else:
            mismatch = ours["threshold"]["spectrum_mismatch_from_reused"]
            assert mismatch > 0.2
            assert ours["notes"] == ["the spot threshold was calibrated on this image itself, not taken from "
                                     "threshold_from, since its radial spectrum differs from that of " + ASCAST +
                                     " by %.2f (tolerance 0.20, in log power); docs/hrtem.md" % mismatch]
            assert ours["spot_calibration"].source == path
            assert ours["spot_calibration"].level == ours["threshold"]["whitened_level"] != calibration.level


def test_threshold_from_on_its_own_image_is_taken_unchecked(results):
    first = results[0]
    again = in_source_dir(lambda: mgscope.hrtem(ASCAST, threshold_from=first["spot_calibration"], pandas=False))
    assert again["spot_calibration"] is first["spot_calibration"]
    assert again["threshold"]["whitened_level"] == first["threshold"]["whitened_level"]
    assert again["classes"] == first["classes"] and again["notes"] == []
    assert again["threshold"]["spectrum_mismatch_from_reused"] is None


def test_threshold_from_of_another_pixel_size_calibrates_its_own(results):
    first = results[0]
    other = in_source_dir(lambda: mgscope.hrtem(TREATED, pixel_nm=0.025, threshold_from=first, pandas=False))
    alone = in_source_dir(lambda: mgscope.hrtem(TREATED, pixel_nm=0.025, pandas=False))
    assert other["threshold"]["whitened_level"] == alone["threshold"]["whitened_level"]
    assert other["classes"] == alone["classes"]
    assert other["notes"] == ["the spot threshold was calibrated on this image itself, not taken from threshold_from, "
                              "since its pixel size or box differs from those of " + ASCAST + "; docs/hrtem.md"]
    assert other["spot_calibration"].source == TREATED and other["spot_calibration"].pixel_nm == 0.025


def test_spot_calibration_pickles_and_refuses_other_settings(results):
    import pickle
    first = results[0]
    copy = pickle.loads(pickle.dumps(first))["spot_calibration"]  # a whole result pickles, calibration and all
    assert repr(copy) == repr(first["spot_calibration"]) and copy.settings == first["spot_calibration"].settings
    a = in_source_dir(lambda: mgscope.hrtem(TREATED, threshold_from=copy, pandas=False))
    b = in_source_dir(lambda: mgscope.hrtem(TREATED, threshold_from=first, pandas=False))
    assert a["threshold"] == b["threshold"] and a["classes"] == b["classes"]
    with pytest.raises(ValueError, match="^threshold_from: calibrated with alpha=0.01, this call has alpha=0.05;"):
        mgscope.hrtem(TREATED, threshold_from=first, alpha=0.05)
    with pytest.raises(ValueError, match="^threshold_from: calibrated with alpha_secondary=0.1, this call has "
                                         "alpha_secondary=0.2;"):
        mgscope.hrtem(TREATED, threshold_from=first, alpha_secondary=0.2)
    fixed = in_source_dir(lambda: mgscope.hrtem(TREATED, spot_threshold=20.0, pandas=False))
    assert fixed["spot_calibration"] is None
    with pytest.raises(ValueError, match="^threshold_from: this result has no null calibration"):
        mgscope.hrtem(TREATED, threshold_from=fixed)
    with pytest.raises(ValueError, match="^threshold_from: reuses a null calibration"):
        mgscope.hrtem(TREATED, threshold_from=first, spot_threshold=20.0)
    with pytest.raises(ValueError, match="^threshold_from: expected an mgscope.hrtem"):
        mgscope.hrtem(TREATED, threshold_from=3)


def test_a_pickled_calibration_keeps_the_direction_model(tmp_path):
    """A blurred glass's calibration follows the direction dependence of its spectrum; pickled and read
    back it still does (a version-2 pickle lost the model: its reuse whitened the boxes without it)."""
    import pickle
    run_cli("synth", "hrtem", "-o", tmp_path, "--name", "blur", "--width", "1024", "--height", "1024",
            "--ordered-fraction", "0.05", "--motion-blur", "0.15nm", "--seed", "61")
    image = tmp_path / "blur.tif"
    first = mgscope.hrtem(image, area=False, pandas=False)
    assert "spectrum_anisotropy" in first["threshold"]  # followed: written only then
    copy = pickle.loads(pickle.dumps(first["spot_calibration"]))
    again = mgscope.hrtem(image, threshold_from=copy, area=False, pandas=False)
    direct = mgscope.hrtem(image, threshold_from=first, area=False, pandas=False)
    assert again["classes"] == direct["classes"] == first["classes"]
    assert again["threshold"]["spectrum_anisotropy"] == first["threshold"]["spectrum_anisotropy"]
    # The detection limit is measured again from the pickled model: the same contrasts.
    limit = first["detection_limit"]
    assert limit["status"] == "measured" and limit["noise_model"] == "this image's"
    assert len(limit["spacing_nm"]) == 3 and all(0 < c < 2.56 for c in limit["fringe_contrast_90"])
    assert again["detection_limit"]["noise_model"] == "this image's"  # the image the calibration was made on
    for key in ("spacing_nm", "fringe_contrast_50", "fringe_contrast_90"):
        assert again["detection_limit"][key] == limit[key]


def test_spot_calibration_file_goes_both_ways_with_the_command(tmp_path, cli_batch_outputs, results):
    """A notebook's calibration saved for the command, and the command's read by a notebook: the
    same level, the same numbers as the batch's reuse (only the description names the file)."""
    first = results[0]
    saved = tmp_path / "from_python.json"
    first["spot_calibration"].save(saved)
    out = tmp_path / "cli"
    run_cli("hrtem", ASCAST_2, "-o", out, "--threshold-from", saved)
    cli = json.loads((out / "ascast_2" / "summary.json").read_text())
    batch = json.loads((cli_batch_outputs / "ascast_2" / "summary.json").read_text())
    assert without_description(cli) == without_description(batch)
    assert cli["threshold"]["whitened_level"] == first["spot_calibration"].level
    assert cli["threshold"]["description"].startswith("reused: calibrated on " + ASCAST + ", read from " + str(saved))

    written = tmp_path / "from_cli.json"
    run_cli("hrtem", ASCAST, "-o", tmp_path / "saved", "--save-threshold", written)
    read = mgscope.read_spot_calibration(written)
    assert isinstance(read, mgscope.SpotCalibration)
    assert read.level == first["spot_calibration"].level and read.source == ASCAST
    assert read.settings == first["spot_calibration"].settings and read.box_px == 100
    ours = in_source_dir(lambda: mgscope.hrtem(ASCAST_2, threshold_from=read, pandas=False))
    assert without_description({k: v for k, v in ours.items() if k not in EXTRA_KEYS}) == without_description(batch)
    assert ours["threshold"]["description"].startswith("reused: calibrated on " + ASCAST + ", read from " + str(written))
    # Saved again from what was read: the file the command wrote, byte for byte.
    again = tmp_path / "again.json"
    read.save(again)
    assert again.read_bytes() == written.read_bytes()
    # A folder that is not there is not made (a mistyped path), as open() would not.
    with pytest.raises(FileNotFoundError, match="no folder '.*missing' to write .*cal.json into"):
        read.save(tmp_path / "missing" / "cal.json")
    assert not (tmp_path / "missing").exists()
    cut = tmp_path / "cut.json"
    cut.write_bytes(written.read_bytes()[:1000])
    with pytest.raises(mgscope.InputError, match="cut.json: not a spot calibration"):
        mgscope.read_spot_calibration(cut)
    with pytest.raises(ValueError, match="^threshold_from: calibrated with alpha=0.01, this call has alpha=0.05;"):
        mgscope.hrtem(ASCAST_2, threshold_from=read, alpha=0.05)


def test_a_stack_says_which_of_its_frames_was_analysed(tmp_path):
    """One frame of a multi-frame file, as the command line does: notes name the frame and the count."""
    run_cli("synth", "hrtem", "-o", tmp_path, "--name", "stack", "--width", "300", "--height", "300", "--frames", "3")
    r = mgscope.hrtem(tmp_path / "stack.tif", frame=1, area=False, pandas=False)
    assert r["input"]["frame"] == 1 and r["input"]["frames"] == 3
    assert r["notes"] == ["the file holds 3 frames; frame 1 was analysed (frame=K for another)"]
    assert mgscope.hrtem(SOURCE_DIR / ASCAST, area=False, pandas=False)["notes"] == []


def test_a_pixel_size_twice_the_true_one_is_named_by_the_halo(tmp_path):
    """The glass's halo checks the calibration as on the command line: keywords halo_check, halo_min_nm, halo_max_nm."""
    run_cli("synth", "hrtem", "-o", tmp_path, "--name", "glass", "--width", "1024", "--height", "1024")
    image = tmp_path / "glass.tif"
    right = mgscope.hrtem(image, area=False, pandas=False)
    assert right["halo"]["status"] == "in_range" and 0.2 <= right["halo"]["d_nm"] <= 0.4
    wrong = mgscope.hrtem(image, pixel_nm=2 * right["calibration"]["pixel_nm"], area=False, pandas=False)
    assert wrong["halo"]["status"] == "outside_range"
    assert wrong["halo"]["d_nm"] == pytest.approx(2 * right["halo"]["d_nm"], rel=0.05)
    assert any("amorphous halo" in w for w in wrong["warnings"])
    wide = mgscope.hrtem(image, pixel_nm=2 * right["calibration"]["pixel_nm"], halo_max_nm=0.8, area=False,
                         pandas=False)
    assert wide["halo"]["status"] == "in_range" and not any("amorphous halo" in w for w in wide["warnings"])
    off = mgscope.hrtem(image, pixel_nm=2 * right["calibration"]["pixel_nm"], halo_check=False, area=False,
                        pandas=False)
    assert off["halo"]["status"] == "off"
    with pytest.raises(ValueError, match="halo-nm"):
        mgscope.hrtem(image, halo_min_nm=0.5, halo_max_nm=0.3, pandas=False)


def test_overlay_png_is_the_clis_overlay(cli_outputs, results, tmp_path):
    """overlay=True gives the command's overlay.png, byte for byte, at its size or another."""
    import os
    run_cli("hrtem", ASCAST, "-o", tmp_path, "--overlay-max-px", "128")
    cwd = os.getcwd()
    os.chdir(SOURCE_DIR)
    try:
        full = mgscope.hrtem(ASCAST, overlay=True, pandas=False)
        small = mgscope.hrtem(ASCAST, overlay=True, overlay_max_px=128, pandas=False)
        with pytest.raises(ValueError, match="overlay_max_px must be 64 to 16384"):
            mgscope.hrtem(ASCAST, overlay=True, overlay_max_px=10)
    finally:
        os.chdir(cwd)
    assert full["overlay_png"] == (cli_outputs / "ascast_1" / "overlay.png").read_bytes()
    assert small["overlay_png"] == (tmp_path / "ascast_1" / "overlay.png").read_bytes()
    assert len(small["overlay_png"]) < len(full["overlay_png"])
    assert "overlay_png" not in results[0]  # only when asked

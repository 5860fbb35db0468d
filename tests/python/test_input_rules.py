"""Bad input from Python is refused with a message naming the argument and the rule (or gives status
'Failure' where the command's analysis does), as the command line refuses it; results carry the
summary keys; signatures are introspectable. Each test failed before the fix it is named after."""
import inspect
import math
import os
import pathlib

import numpy as np
import pytest

import mgscope
from conftest import SOURCE_DIR, cli_error

MH = SOURCE_DIR / "samples/mce/mean_field/isotherms.dat"
CREEP = SOURCE_DIR / "samples/indent/creep/creep_01.csv"
DSC_CSV = SOURCE_DIR / "samples/dsc/generic_example.csv"
SHARED = pathlib.Path(os.environ.get("MGSCOPE_SHARED_DIR", SOURCE_DIR.parent / "shared")) / "data"


def shared(name):
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} is not there (the shared data folder)")
    return path


def isotherm_dicts():
    H = np.linspace(0, 50000, 51)
    return [dict(temperature_K=T, field_Oe=H, magnetization=100 / T * np.sqrt(H / 50000)) for T in (100., 103., 106.)]


# --- entropy_change, isotherms, mce_merit ---

def test_isotherm_arrays_of_unequal_length_are_refused():
    iso = isotherm_dicts()
    iso[1] = dict(iso[1], magnetization=iso[1]["magnetization"][:5])  # read past the end: -dSm 1e256
    with pytest.raises(ValueError, match=r"^source\[1\] \(103 K\): field_Oe has 51 values, magnetization 5; "
                                         r"they must have the same length"):
        mgscope.entropy_change(iso)
    iso = isotherm_dicts()
    iso[2]["magnetization"][3] = np.nan
    with pytest.raises(ValueError, match=r"^source\[2\] \(106 K\): magnetization\[3\] is nan; every value must be finite"):
        mgscope.entropy_change(iso)
    iso = isotherm_dicts()
    iso[0]["temperature_K"] = float("nan")
    with pytest.raises(ValueError, match=r"^source\[0\]: temperature_K is nan"):
        mgscope.entropy_change(iso)
    # Equal lengths: the closed form still holds (-dSm > 0 for M falling with T).
    assert (mgscope.entropy_change(isotherm_dicts())["minus_dSm"][:, -1] > 0).all()


def test_field_step_beyond_the_range_or_too_fine_is_refused():
    with pytest.raises(mgscope.InputError, match=r"--field-step-Oe \(EntropyOptions.field_step_Oe\) 1e\+09 Oe is larger "
                                                 r"than the common field range of the isotherms, 0 to 50000 Oe"):
        mgscope.entropy_change(MH, field_step_Oe=1e9)
    # 1e-3 Oe over 5 T was a grid of 5e7 fields: Python was killed for memory (24 GB).
    with pytest.raises(mgscope.InputError, match=r"field_step_Oe\) 0.001 Oe over the common field range of the "
                                                 r"isotherms, 0 to 50000 Oe makes a grid of 5e\+07 fields, more than "
                                                 r"10000: give a step of at least 5.01 Oe"):
        mgscope.entropy_change(MH, field_step_Oe=1e-3)
    with pytest.raises(ValueError, match="field_step_Oe.* must be a finite number > 0 Oe, got -5"):
        mgscope.entropy_change(MH, field_step_Oe=-5)
    r = mgscope.entropy_change(MH, field_step_Oe=50000)  # the range itself: one step
    assert list(r["field_Oe"]) == [0, 50000]


def test_mass_and_tolerance_keywords_follow_the_command_rules():
    for mass in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="^mass_mg must be >= 0 mg"):
            mgscope.entropy_change(MH, mass_mg=mass)
        with pytest.raises(ValueError, match="^mass_mg must be >= 0 mg"):
            mgscope.isotherms(MH, mass_mg=mass)
    with pytest.raises(ValueError, match=r"^mass_mg 1e\+09 mg: a sample mass lies within 1 ug to 100 g"):
        mgscope.isotherms(MH, mass_mg=1e9)
    with pytest.raises(ValueError, match=r"^mass_mg: applies to Quantum Design files; isotherm dicts"):
        mgscope.entropy_change(isotherm_dicts(), mass_mg=10)
    with pytest.raises(ValueError, match=r"zero_field_tolerance_Oe\) must be a finite number >= 0 Oe, got -1"):
        mgscope.entropy_change(MH, zero_field_tolerance_Oe=-1)
    assert mgscope.entropy_change(MH, mass_mg=0)["unit"] == "mJ/K"  # 0: moment only, as --mass 0


def test_advice_naming_an_option_gets_a_note_naming_the_keyword():
    """The command's message names options ("give --pixel-size"); a notebook user passes keywords.
    A note under the message names them where they are spelled otherwise, the message unchanged."""
    uncalibrated = shared("hrtem/test-1.dm4")
    for call in (mgscope.hrtem, mgscope.hrtem_series):
        with pytest.raises(mgscope.InputError) as caught:
            call(uncalibrated)
        assert "; give --pixel-size (e.g. --pixel-size 0.0199nm)" in str(caught.value)
        assert caught.value.__notes__ == ["In Python: --pixel-size is pixel_nm="]
    units = [{"h_nm": 10.0, "tau_s": 4.0}]
    with pytest.raises(ValueError, match="^--spectrum-tau-min-s and --spectrum-tau-max-s") as caught:
        mgscope.relaxation_spectrum(units, contact_area_nm2=1e7, hold_load_mN=50, hold_start_depth_nm=800,
                                    tau_min_s=10.0, tau_max_s=1.0)
    assert caught.value.__notes__ == [
        "In Python: --spectrum-tau-min-s is tau_min_s=, --spectrum-tau-max-s is tau_max_s="]
    # No note where the message names the keyword, or the option is the keyword's spelling.
    with pytest.raises(ValueError, match=r"^--rate \(CurveOptions.rate_K_per_min\)") as caught:
        mgscope.dsc_transitions(DSC_CSV, rate_K_per_min=-5.0)
    assert not hasattr(caught.value, "__notes__")
    with pytest.raises(ValueError, match="^--contact-area-nm2") as caught:
        mgscope.creep(CREEP, contact_area_nm2=-1.0)
    assert not hasattr(caught.value, "__notes__")


def test_mce_merit_refuses_unsorted_empty_and_nan():
    e = mgscope.entropy_change(MH)
    T, S = e["temperature_mid_K"], e["minus_dSm"][:, -1]
    with pytest.raises(ValueError, match=r"^temperature_K must increase strictly: point 1 \(154 K\) follows 157 K; "
                                         r"sort the curve by temperature first"):
        mgscope.mce_merit(T[::-1], S[::-1])  # gave a FWHM of -50 K, an RCP of -483
    with pytest.raises(ValueError, match="no points"):
        mgscope.mce_merit([], [])  # gave a peak of 0 at 0 K
    with pytest.raises(ValueError, match="^point 2: temperature_K 61, minus_dSm nan: both must be finite numbers$"):
        mgscope.mce_merit(T, np.where(np.arange(len(S)) == 2, np.nan, S))
    for lift in (-3.0, float("nan")):
        with pytest.raises(ValueError, match="^tec_lifts_K: each lift must be a finite number > 0 K"):
            mgscope.mce_merit(T, S, tec_lifts_K=[lift])
    with pytest.raises(ValueError, match="temperature_K has 35 values, minus_dSm 34"):
        mgscope.mce_merit(T, S[:-1])
    m = mgscope.mce_merit(T, S)
    assert (m["status"], m["message"], m["usable"]) == ("Success", "ok", True)


def test_temperatures_at_or_below_0_K_are_refused():
    celsius = [dict(d, temperature_K=d["temperature_K"] - 273.15) for d in mgscope.isotherms(MH)]
    with pytest.raises(ValueError, match=r"^source\[0\]: temperature_K -219.65 K is at or below 0 K; "
                                         r"temperatures are above 0 K"):
        mgscope.entropy_change(celsius)  # gave -dSm, status Success
    e = mgscope.entropy_change(MH)
    T, S = e["temperature_mid_K"], e["minus_dSm"][:, -1]
    with pytest.raises(ValueError, match=r"^point 0: temperature_K -\d+(\.\d+)? K is at or below 0 K; "
                                         r"temperatures are above 0 K"):
        mgscope.mce_merit(T - 200, S)  # gave peak_T_K -100, status Success
    with pytest.raises(ValueError, match=r"^point 0: temperature_K 0 K is at or below 0 K"):
        mgscope.mce_merit(T - T[0], S)
    # dsc_transitions, the other call taking temperature_K, had the rule of a file's rows already.
    t = np.linspace(0, 600, 601)
    with pytest.raises(mgscope.InputError, match=r"^arrays: index 0: temperature -\S+ is at or below 0 K"):
        mgscope.dsc_transitions(time_s=t, temperature_K=t / 6 - 50, signal=np.zeros_like(t))


def test_virgin_branch_warning_reaches_isotherms_and_entropy_change():
    path = shared("mpms/mvsh1.dat")
    said = "no virgin branch"
    iso = mgscope.isotherms(path)
    assert isinstance(iso, list) and all(said in " ".join(c["warnings"]) for c in iso)
    e = mgscope.entropy_change(path)
    assert any(said in w for w in e["warnings"])
    assert (e["status"], e["usable"]) == ("Success", True) and e["message"].startswith("-dSm of ")
    # Handed over as dicts, the warnings come along (once each).
    again = mgscope.entropy_change(iso)["warnings"]
    assert sum(said in w for w in again) == sum(said in w for w in e["warnings"])


# --- nanoindentation ---

def test_creep_refuses_a_contact_area_the_command_refuses():
    for area in (-5.0, 0.0, float("nan")):
        with pytest.raises(ValueError, match=r"^--contact-area-nm2 \(CreepAnalysisOptions.contact_area_nm2\) must be "
                                             r"a finite number > 0 nm\^2"):
            mgscope.creep(CREEP, contact_area_nm2=area)
    (r,) = mgscope.creep(CREEP, contact_area_nm2=2.5e6)
    assert r["status"] == "Success" and r["spectrum"]["status"] == "Success" and r["spectrum"]["usable"]


def test_relaxation_spectrum_refuses_bad_scales_and_units_and_says_a_failed_fit():
    units = [{"h_nm": 10.0, "tau_s": 4.0}]
    good = dict(contact_area_nm2=1e7, hold_load_mN=50, hold_start_depth_nm=800)
    for name, value in (("contact_area_nm2", -1e6), ("contact_area_nm2", float("nan")), ("hold_load_mN", 0.0),
                        ("hold_start_depth_nm", 0.0)):
        with pytest.raises(ValueError, match="^" + name + r" \(\w+\) must be a finite number > 0"):
            mgscope.relaxation_spectrum(units, **dict(good, **{name: value}))
    with pytest.raises(ValueError, match="^Kelvin unit 1: tau_s must be a finite number > 0 s, got -1"):
        mgscope.relaxation_spectrum([{"h_nm": 1, "tau_s": -1}], **good)  # an infinite peak before
    failed = mgscope.fit_creep([0, 1, 2], [0, 1, 2])
    assert failed["status"] == "Failure"
    s = mgscope.relaxation_spectrum(failed, **good)
    assert s["status"] == "Failure" and not s["usable"] and len(s["tau_s"]) == 0
    assert s["message"].startswith("the creep fit failed (") and s["message"].endswith("): no spectrum")
    ok = mgscope.relaxation_spectrum(units, **good)
    assert (ok["status"], ok["message"], ok["warnings"], ok["usable"]) == ("Success", "ok", [], True)


def test_oliver_pharr_gives_failure_for_a_curve_creep_gives_failure_for():
    t = np.linspace(0, 10, 50)
    depth = np.where(t < 5, 100 * t, 100 * (10 - t))
    depth[20] = np.nan
    load = depth / 10
    r = mgscope.oliver_pharr(time_s=t, depth_nm=depth, load_mN=load)  # raised InputError before
    c = mgscope.creep(time_s=t, depth_nm=depth, load_mN=load)
    assert r["status"] == c["status"] == "Failure" and not r["usable"]
    assert r["message"] == c["message"] == "arrays: data row 21 holds NaN or infinity"


# --- DSC ---

@pytest.fixture(scope="module")
def dsc_columns():
    rows = [l.split(",") for l in DSC_CSV.read_text().splitlines() if l and not l.startswith("#")][1:]
    a = np.array([[float(v) for v in r] for r in rows])
    return {"T_K": a[:, 0], "t_s": a[:, 1], "HF_mW": a[:, 2], "segment": a[:, 3]}


def test_dsc_arrays_are_held_to_the_rules_of_a_file(dsc_columns):
    d = dsc_columns
    heat = d["segment"] == 3
    t, T, signal = d["t_s"][heat], d["T_K"][heat], d["HF_mW"][heat] / 10
    ok = mgscope.dsc_transitions(time_s=t, temperature_K=T, signal=signal)
    assert ok["status"] == "Success" and math.isfinite(ok["tg"]["onset_K"])
    bad = signal.copy()
    bad[300] = np.nan  # gave Success with a NaN Tg
    with pytest.raises(mgscope.InputError, match=r"^arrays: index 300: heat flow nan is not a finite number$"):
        mgscope.dsc_transitions(time_s=t, temperature_K=T, signal=bad)
    with pytest.raises(mgscope.InputError, match=r"^arrays: index 1: time .* s is before the previous row's"):
        mgscope.dsc_transitions(time_s=t[::-1], temperature_K=T[::-1], signal=signal[::-1])
    # Heat, cool, heat as one curve gave Success at 2.98 K/min.
    with pytest.raises(mgscope.InputError, match=r"^arrays: the arrays hold heating indices 0-\d+, cooling indices "
                                                 r".*: pass one heating segment"):
        mgscope.dsc_transitions(time_s=d["t_s"], temperature_K=d["T_K"], signal=d["HF_mW"] / 10)
    cooling = d["segment"] == 2
    with pytest.raises(mgscope.InputError, match=r"^arrays: no heating segment in the data \(indices 0-\d+: cooling"):
        mgscope.dsc_transitions(time_s=d["t_s"][cooling], temperature_K=d["T_K"][cooling],
                                signal=d["HF_mW"][cooling] / 10)


@pytest.mark.parametrize("keyword,value,option", [
    ("rate_K_per_min", -5.0, "--rate"), ("rate_K_per_min", 0.0, "--rate"),
    ("mass_mg", -10.0, "--mass"), ("mass_mg", 1e9, "--mass"), ("mass_mg", 0.0, "--mass")])
def test_dsc_rate_and_mass_follow_the_command_rules(dsc_columns, tmp_path, keyword, value, option):
    rule = r"must lie within" if keyword == "mass_mg" else r"must lie within 0.001 to 1e7 K/min"
    with pytest.raises(ValueError, match=option + r" \(CurveOptions\." + keyword + r"\) " + rule):
        mgscope.dsc_transitions(DSC_CSV, **{keyword: value})
    d = dsc_columns
    heat = d["segment"] == 3
    with pytest.raises(ValueError, match=option + r" \(CurveOptions\." + keyword + r"\) " + rule):
        mgscope.dsc_transitions(time_s=d["t_s"][heat], temperature_K=d["T_K"][heat], signal=d["HF_mW"][heat],
                                **{keyword: value})
    # The command refuses the same values (at parsing for <= 0; by the same rule, in the same words, above).
    said = cli_error("dsc", DSC_CSV, "-o", tmp_path / "out", option, value)
    assert option + (" (CurveOptions." + keyword + ")" if value > 0 else ":") in said


def test_dsc_file_warnings_reach_every_result(tmp_path):
    nodir = tmp_path / "nodir.csv"
    nodir.write_text("".join(l for l in DSC_CSV.read_text().splitlines(keepends=True)
                             if not l.startswith(("# exotherm", "# mass_mg"))))
    results = mgscope.dsc_transitions(nodir)
    assert results and all(any("exotherm direction assumed up" in w for w in r["warnings"]) for r in results)


def test_a_rejected_tg_has_no_numbers():
    (r, *_) = mgscope.dsc_transitions(shared("dsc/pkynetics_TA_UniversalAnalysis_eicosane.txt"))
    tg = r["tg"]
    assert not tg["found"]
    for key in ("onset_K", "midpoint_K", "end_K", "step_height", "delta_cp"):
        assert math.isnan(tg[key]), key  # 307.8 K and others before, where the CLI's cells are empty


def test_dsc_docstring_gives_the_units():
    doc = mgscope.dsc_transitions.__doc__
    assert "step_height (signal unit)" in doc and "delta_cp (J/(g K) per gram, else mJ/K)" in doc
    assert "noise (signal unit" in doc


# --- power laws ---

def test_power_law_says_which_points_it_left_out():
    x = np.array([50.0, 80, 120, 200, 300, -1, 7])
    y = 3 * np.abs(x) ** 1.5
    y[6] = np.nan
    f = mgscope.fit_power_law(x, y)
    assert f["status"] == "Success" and f["n_points"] == 5 and f["exponent"] == pytest.approx(1.5)
    assert f["warnings"] == ["2 of 7 points left out: x or y is not finite or not > 0, so has no logarithm "
                             "(indices 5, 6)"]
    assert mgscope.fit_power_law(x[:5], y[:5])["warnings"] == []


def test_power_law_refuses_bounds_that_are_not_finite():
    x = np.array([50.0, 80, 120, 200, 300])
    y = 3 * x ** 1.5
    for key in ("x_min", "x_max"):
        for bound in (float("nan"), float("inf"), -float("inf")):  # nan was taken as "no bound"
            with pytest.raises(ValueError, match=r"^PowerLawOptions\." + key + r": must be a finite number"):
                mgscope.fit_power_law(x, y, **{key: bound})
    assert mgscope.fit_power_law(x, y, x_min=60.0, x_max=None)["n_points"] == 4


def test_two_regime_power_law_refuses_meaningless_settings():
    x = np.linspace(10, 100, 12)
    y = np.where(x < 50, x ** 1.2, 50 ** 0.7 * x ** 0.5)
    for n in (0, -1, 2):
        with pytest.raises(ValueError, match=r"^min_points must be >= 3 .* got " + str(n)):
            mgscope.fit_two_regime_power_law(x, y, min_points=n)
    for b in (float("nan"), -5.0, 0.0):
        with pytest.raises(ValueError, match="^breakpoint must be a finite number > 0"):
            mgscope.fit_two_regime_power_law(x, y, breakpoint=b)
    assert mgscope.fit_two_regime_power_law(x, y)["status"] == "Success"


# --- failed results ---

def floats_of(d, path=""):
    """Every float of a result, nested plain dicts and lists too, as (path, value)."""
    items = d.items() if isinstance(d, dict) else enumerate(d)
    for key, value in items:
        if isinstance(value, float):
            yield f"{path}{key}", value
        elif isinstance(value, (dict, list)):
            yield from floats_of(value, f"{path}{key}.")


def test_a_failed_result_has_nan_where_it_had_zero():
    # Each gave 0.0 (an exponent, a hardness of 0 GPa) where the command writes null or an empty cell.
    f = mgscope.fit_power_law([1, 2], [3, 4])
    assert f["status"] == "Failure" and f["n_points"] == 2 and f["used"] == [0, 1]  # counts stay
    two = mgscope.fit_two_regime_power_law([1, 2, 3], [3, 4, 5])
    t = np.linspace(0, 10, 50)
    depth = np.where(t < 5, 100 * t, 100 * (10 - t))
    depth[20] = np.nan
    op = mgscope.oliver_pharr(time_s=t, depth_nm=depth, load_mN=depth / 10)
    creep = mgscope.creep(time_s=t, depth_nm=depth, load_mN=depth / 10)
    fit = mgscope.fit_creep([0, 1, 2], [0, 1, 2])
    for r in (f, two, two["below"], op, creep, creep["fit"], fit, fit["best"]):
        assert r["status"] == "Failure"
        numbers = dict(floats_of(r))
        assert numbers and all(math.isnan(v) for v in numbers.values()), numbers
    assert op["fit_points"] == 0 and math.isnan(op["hardness_GPa"]) and math.isnan(two["breakpoint_x"])
    # Numbers of the arguments stay: the spectrum's scale, as given.
    good = dict(contact_area_nm2=1e7, hold_load_mN=50, hold_start_depth_nm=800)
    s = mgscope.relaxation_spectrum(fit, **good)
    scale = mgscope.relaxation_spectrum([{"h_nm": 1.0, "tau_s": 1.0}], **good)["scale_per_GPa_nm"]
    assert s["status"] == "Failure" and s["scale_per_GPa_nm"] == scale > 0
    # A result that stands keeps its numbers, 0 included.
    ok = mgscope.fit_power_law([1, 2, 3], [5, 5, 5])
    assert ok["status"] == "Success" and ok["exponent"] == 0 and ok["prefactor"] == pytest.approx(5)


# --- the module ---

def test_every_public_function_has_a_signature():
    functions = {n: f for n, f in vars(mgscope).items() if not n.startswith("_") and inspect.isfunction(f)}
    assert "entropy_change" in functions and "hrtem" in functions
    for name, f in functions.items():
        sig = inspect.signature(f)  # raised ValueError for every one
        assert "args" not in sig.parameters, name  # read from pybind11's docstring, not (*args, **kwargs)
    sig = inspect.signature(mgscope.entropy_change)
    assert list(sig.parameters)[:3] == ["source", "mass_mg", "field_step_Oe"]
    assert sig.parameters["field_step_Oe"].kind is inspect.Parameter.KEYWORD_ONLY
    assert sig.parameters["zero_field_tolerance_Oe"].default == 500
    assert inspect.signature(mgscope.mce_merit).parameters["tec_lifts_K"].default == [3.0, 10.0]
    assert mgscope.entropy_change.__module__ == "mgscope"


def test_module_docstring_gives_the_units_the_functions_use():
    doc = " ".join(mgscope.__doc__.split())
    assert "fields in Oe (field_Oe; mu0H_T in T)" in doc and "temperatures in K (DSC too)" in doc
    assert "degC" not in doc


# --- ambiguous, empty or misshapen arguments ---

def test_a_file_and_arrays_at_once_are_refused(dsc_columns):
    t, d, p = np.linspace(0, 10, 50), np.linspace(0, 100, 50), np.linspace(0, 5, 50)
    for call in (mgscope.creep, mgscope.oliver_pharr):  # used the file, dropped the arrays
        with pytest.raises(ValueError, match=r"^give a file path or time_s, depth_nm and load_mN arrays, not both$"):
            call(CREEP, time_s=t, depth_nm=d, load_mN=p)
        with pytest.raises(ValueError, match="not both"):
            call(CREEP, time_s=t)
    c = dsc_columns
    with pytest.raises(ValueError, match=r"^give a file path or time_s, temperature_K and signal arrays, not both$"):
        mgscope.dsc_transitions(DSC_CSV, time_s=c["t_s"], temperature_K=c["T_K"], signal=c["HF_mW"])


def test_misshapen_arguments_say_what_was_expected():
    with pytest.raises(ValueError, match=r"^hrtem_combined needs at least one hrtem\(\) result$"):
        mgscope.hrtem_combined([])  # TypeError: 'float' object is not subscriptable
    with pytest.raises(ValueError, match=r"^hrtem_combined_csv: results is of type str; expected a list of "
                                         r"hrtem\(\) results"):
        mgscope.hrtem_combined_csv("abc")  # "dictionary update sequence element ..."
    with pytest.raises(ValueError, match=r"^hrtem_combined: results\[0\] is of type int, not a result of "
                                         r"mgscope.hrtem\(\)"):
        mgscope.hrtem_combined([5])
    good = dict(contact_area_nm2=1e7, hold_load_mN=50, hold_start_depth_nm=800)
    with pytest.raises(ValueError, match=r"^relaxation_spectrum: unit 1 lacks 'h_nm' \(keys: h, tau_s\)$"):
        mgscope.relaxation_spectrum([{"h": 5, "tau_s": 2}], **good)  # a bare KeyError 'h_nm'
    with pytest.raises(ValueError, match=r"^relaxation_spectrum: unit 2 is of type float; expected a dict"):
        mgscope.relaxation_spectrum([{"h_nm": 5, "tau_s": 2}, 3.0], **good)
    image = SOURCE_DIR / "samples/hrtem/treated_1.tif"
    for frame in (10**12, -1):  # pybind11's TypeError listing the signature; "0 or more"
        for call in (mgscope.read_image, mgscope.hrtem):
            with pytest.raises(ValueError, match=r"^frame must be between 0 and 2\^31-1 \(frames count from 0\), "
                                                 "got " + str(frame)):
                call(image, frame=frame)
    for call, name in ((mgscope.hrtem, "image"), (mgscope.read_image, "path"), (mgscope.isotherms, "paths"),
                       (mgscope.creep, "path")):
        with pytest.raises(ValueError, match="^" + name + r": a path as bytes \(b'.*'\): give a str or os.PathLike$"):
            call(bytes(image))  # hrtem: "dtype |S12 is not a real number type"
    with pytest.raises(ValueError, match=r"^paths: no files given; give one or more Quantum Design M\(H\) files"):
        mgscope.isotherms([])  # returned []
    with pytest.raises(mgscope.InputError, match=r"^entropy_change: -dSm needs at least two isotherms"):
        mgscope.entropy_change([])  # ": -dSm needs...", naming nothing

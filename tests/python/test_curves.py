"""Creep, Oliver-Pharr, DSC, power law, Quantum Design and -dSm(T, H) from Python: known truths
(closed forms, generated data) and the CLI's outputs on the bundled samples, to the printed digits."""
import json
import math

import numpy as np
import pytest

import mgscope
from conftest import SOURCE_DIR, cli_error, printed, read_csv, run_cli

CREEP = "samples/indent/creep/creep_01.csv"
INDENT = "samples/indent/grid/indent_r01_c01.csv"
DSC = "samples/dsc/dsc_as_cast.txt"
MH = "samples/mce/mean_field/isotherms.dat"


def test_fit_creep_recovers_generated_parameters():
    t = np.linspace(0, 120, 1201)
    dh = 0.5 + 8 * (1 - np.exp(-t / 2)) + 15 * (1 - np.exp(-t / 25)) + 0.05 * t
    fit = mgscope.fit_creep(t, dh, units=2)
    assert fit["status"] == "Success" and fit["points"] == 1201
    best = fit["best"]
    assert [u["tau_s"] for u in best["kelvin"]] == pytest.approx([2, 25], rel=1e-6)
    assert [u["h_nm"] for u in best["kelvin"]] == pytest.approx([8, 15], rel=1e-6)
    assert best["inv_mu0_nm_per_s"] == pytest.approx(0.05, rel=1e-6)
    # A float32, strided copy of the same curve: converted, same model to float32 precision.
    again = mgscope.fit_creep(np.repeat(t.astype(np.float32), 2)[::2], list(dh), units=2)
    assert again["best"]["kelvin"][1]["tau_s"] == pytest.approx(25, rel=1e-4)
    with pytest.raises(ValueError, match="units"):
        mgscope.fit_creep(t, dh, units=4)
    with pytest.raises(ValueError, match="bool"):
        mgscope.fit_creep(t > 1, dh)


def test_relaxation_spectrum_single_unit_peak():
    # paper kernel: one unit's peak sits at (1 + sqrt 5) / 4 tau; K = A0 / (P0 h_in).
    s = mgscope.relaxation_spectrum([{"h_nm": 10.0, "tau_s": 4.0}], contact_area_nm2=1e7, hold_load_mN=50,
                                    hold_start_depth_nm=800)
    assert s["scale_per_GPa_nm"] == pytest.approx(1e7 / (50 * 800) * 1e-6, rel=1e-12)  # nm/mN in 1/(GPa nm)
    assert len(s["peaks"]) == 1
    assert s["peaks"][0]["tau_s"] == pytest.approx((1 + math.sqrt(5)) / 4 * 4.0, rel=1e-6)
    assert s["tau_s"].shape == s["L_per_GPa"].shape and s["tau_s"][0] == pytest.approx(0.01)


@pytest.fixture(scope="module")
def creep_cli(tmp_path_factory):
    out = tmp_path_factory.mktemp("creep")
    run_cli("creep", CREEP, "-o", out)
    return read_csv(out / "creep.csv")[0]


def test_creep_file_equals_cli_creep_csv(creep_cli):
    (r,) = mgscope.creep(SOURCE_DIR / CREEP)
    best = r["fit"]["best"]
    ours = {"units": best["units"], "c0_nm": best["c0_nm"], "mu0_s_per_nm": best["mu0_s_per_nm"],
            "residual_rms_nm": best["residual_rms_nm"], "r_squared": best["r_squared"], "aic": best["aic"],
            "hold_s": r["fit"]["hold_s"], "hold_load_mN": r["hold_load_mN"],
            "hold_start_depth_nm": r["hold_start_depth_nm"], "contact_area_nm2": r["contact_area_nm2"]}
    for k, unit in enumerate(best["kelvin"], 1):
        ours.update({f"h{k}_nm": unit["h_nm"], f"tau{k}_s": unit["tau_s"], f"tau{k}_se_s": unit["tau_se_s"]})
    for k, peak in enumerate(r["spectrum"]["peaks"][:2], 1):
        ours.update({f"peak{k}_tau_s": peak["tau_s"], f"peak{k}_L_per_GPa": peak["height_per_GPa"]})
    for name, value in ours.items():
        assert printed(value, 10) == creep_cli[name], name
    assert r["area_source"] == creep_cli["area_source"] and r["status"] == creep_cli["status"]
    # The same curve handed over as arrays gives the same fit.
    (curve,) = mgscope.read_indentation(SOURCE_DIR / CREEP)
    arrays = mgscope.creep(time_s=curve["time_s"], depth_nm=curve["depth_nm"], load_mN=curve["load_mN"])
    assert arrays["fit"]["best"]["aic"] == best["aic"]


def test_oliver_pharr_equals_cli_hardness_csv(tmp_path):
    run_cli("hardness", INDENT, "-o", tmp_path)
    cli = read_csv(tmp_path / "hardness.csv")[0]
    (r,) = mgscope.oliver_pharr(SOURCE_DIR / INDENT)
    for name in ("max_load_mN", "max_depth_nm", "alpha_mN", "exponent_m", "final_depth_nm", "stiffness_mN_per_nm",
                 "contact_depth_nm", "contact_area_nm2", "hardness_GPa", "reduced_modulus_GPa", "modulus_GPa",
                 "fit_rms_mN", "hardness_sd_GPa", "reduced_modulus_sd_GPa", "modulus_sd_GPa"):
        assert printed(r[name], 10) == cli[name], name
    assert str(r["fit_points"]) == cli["fit_points"]
    # H = Pmax / A and Er = sqrt(pi) S / (2 beta sqrt(A)) (GPa from mN / nm^2).
    assert r["hardness_GPa"] == pytest.approx(r["max_load_mN"] / r["contact_area_nm2"] * 1e6, rel=1e-12)
    assert r["reduced_modulus_GPa"] == pytest.approx(
        math.sqrt(math.pi) * r["stiffness_mN_per_nm"] / (2 * 1.034 * math.sqrt(r["contact_area_nm2"])) * 1e6, rel=1e-12)


def test_oliver_pharr_takes_the_frame_compliance_off_as_the_cli(tmp_path):
    run_cli("synth", "indent", "--grid", "1", "--max-load-mN", "300", "--loading-rate", "30", "--unloading-rate", "30",
            "--frame-compliance-nm-per-mN", "0.3", "-o", tmp_path / "in")
    curve = tmp_path / "in" / "indent_r01_c01.csv"
    run_cli("hardness", curve, "--frame-compliance-nm-per-mN", "0.3", "--figures", "0", "-o", tmp_path / "out")
    cli = read_csv(tmp_path / "out" / "hardness.csv")[0]
    (r,) = mgscope.oliver_pharr(curve, frame_compliance_nm_per_mN=0.3)
    for name in ("max_depth_nm", "contact_depth_nm", "hardness_GPa", "reduced_modulus_GPa"):
        assert printed(r[name], 10) == cli[name], name
    assert r["reduced_modulus_GPa"] == pytest.approx(70, rel=0.02)  # the generator's Er
    (raw,) = mgscope.oliver_pharr(curve)
    assert raw["reduced_modulus_GPa"] < 0.9 * 70  # the frame's deflection left in the depths
    with pytest.raises(ValueError):
        mgscope.oliver_pharr(curve, frame_compliance_nm_per_mN=-1)


def test_dsc_transitions_equal_cli_dsc_csv(tmp_path):
    run_cli("dsc", DSC, "-o", tmp_path)
    rows = read_csv(tmp_path / "dsc.csv")
    results = mgscope.dsc_transitions(SOURCE_DIR / DSC)
    assert len(results) == len(rows)
    for r, row in zip(results, rows):
        assert printed(r["rate_K_per_min"], 8) == row["rate_K_per_min"]
        for ours, name in ((r["tg"]["onset_K"], "Tg_onset_K"), (r["tg"]["midpoint_K"], "Tg_mid_K"),
                           (r["tg"]["end_K"], "Tg_end_K"), (r["tg"]["delta_cp"], "delta_cp_J_per_gK")):
            assert printed(ours, 8) == row[name], name
        x = r["crystallisation"]
        if row["Tx_onset_K"]:
            assert printed(x["onset_K"], 8) == row["Tx_onset_K"] and printed(x["peak_K"], 8) == row["Tx_peak_K"]
            assert printed(x["enthalpy"], 8) == row["dH_x_J_per_g"]
        # The supercooled liquid region of this heating, as dsc.csv's dTx_K (empty: NaN).
        assert printed(r["dTx_K"], 8) == row["dTx_K"]
        # The uncertainties, resampled with the same seed as the command's.
        u = r["uncertainty"]
        assert u["resamples"] == 50
        for part, name in (("tg_onset", "Tg_onset_err_K"), ("tg_midpoint", "Tg_mid_err_K"),
                           ("tx_onset", "Tx_onset_err_K"), ("tx_peak", "Tx_peak_err_K"), ("dTx", "dTx_err_K")):
            assert printed(u[part]["err_K"], 8) == row[name], name
    t = results[0]["uncertainty"]["tg_onset"]
    assert t["err_K"] == pytest.approx(math.hypot(t["noise_sd_K"], t["settings_K"]), rel=1e-12)


def test_power_law_closed_form():
    x = np.array([50.0, 80, 120, 200, 300])
    f = mgscope.fit_power_law(x, 3 * x ** 1.5)
    assert f["status"] == "Success" and f["n_points"] == 5
    assert f["exponent"] == pytest.approx(1.5, abs=1e-12) and f["prefactor"] == pytest.approx(3, rel=1e-10)
    assert mgscope.fit_power_law(x, 3 * x ** 1.5, x_min=100)["used"] == [2, 3, 4]


@pytest.fixture(scope="module")
def mce_cli(tmp_path_factory):
    out = tmp_path_factory.mktemp("mce")
    run_cli("mce", "--mh", MH, "-o", out)
    return out


def test_entropy_change_and_merits_equal_cli(mce_cli):
    s = mgscope.entropy_change(SOURCE_DIR / MH)
    rows = read_csv(mce_cli / "dSm.csv")
    assert s["unit"] == "J/(kg K)" and s["minus_dSm"].shape == (len(rows), len(s["field_Oe"]))
    for i, row in enumerate(rows):
        assert printed(s["temperature_mid_K"][i], 10) == row["T_K"]
        cells = [v for k, v in row.items() if k.startswith("minus_dSm")]  # not the warnings column
        assert [printed(v, 10) for v in s["minus_dSm"][i, 1:]] == cells
    merits = json.loads((mce_cli / "mce.json").read_text())["entropy"]["merit_by_field"]
    assert len(merits) == len(s["merits"])
    for ours, cli in zip(s["merits"], merits):
        assert ours["mu0H_T"] == cli["mu0H_T"] and ours["peak_T_K"] == cli["Tp_K"]
        assert ours["peak"] == cli["minus_dSm_max"] and ours["rcp"] == cli["RCP"] and ours["rc"] == cli["RC"]
        assert ours["fwhm_K"] == cli["dT_FWHM_K"]
    # The first interval's doubt, as the CLI's (null there where NaN here).
    for k, cli in enumerate(merits, start=1):
        doubt = s["first_interval_doubt"][k]
        assert (np.isnan(doubt) and cli["first_interval_doubt"] is None) or doubt == cli["first_interval_doubt"]
    assert len(s["first_interval_doubt"]) == len(s["field_Oe"])
    # The figures of merit on arrays give the same numbers for one field.
    k = len(s["field_Oe"]) - 1
    m = mgscope.mce_merit(s["temperature_mid_K"], s["minus_dSm"][:, k], field_Oe=s["field_Oe"][k])
    assert m["rcp"] == s["merits"][-1]["rcp"]


def test_quantum_design_reading_and_isotherms(mce_cli):
    d = mgscope.read_quantum_design(SOURCE_DIR / MH)
    cli_input = json.loads((mce_cli / "mce.json").read_text())["inputs"][0]
    assert d["variant"] == cli_input["variant"] and d["sample_mass_mg"] == cli_input["mass_mg"]
    assert d["moment_column"] == cli_input["moment_column"] and len(d["moment_emu"]) == cli_input["rows"]
    assert d["moment_rows_by_column"] == cli_input["moment_rows_by_column"] and d["moment_rows_by_column"]
    iso = mgscope.isotherms(SOURCE_DIR / MH)
    by_arrays = mgscope.entropy_change(iso)  # isotherm dicts in emu/g give the file's -dSm
    assert np.array_equal(by_arrays["minus_dSm"], mgscope.entropy_change(SOURCE_DIR / MH)["minus_dSm"])


@pytest.mark.parametrize("command,reader", [
    ("creep", mgscope.read_indentation),
    ("dsc", mgscope.dsc_transitions),
    ("mce --mh", mgscope.read_quantum_design),
])
def test_bad_files_raise_the_cli_message(tmp_path, command, reader):
    bad = tmp_path / "bad.txt"
    bad.write_text("time_s,depth_nm,load_mN\n1,2,x\n" if command == "creep" else "not a measurement\n1;2;3\n")
    message = cli_error(*command.split(), bad, "-o", tmp_path / "out")
    with pytest.raises(mgscope.InputError) as caught:
        reader(bad)
    assert str(caught.value) == message

#!/usr/bin/env python3
"""-dSm_max from `mgscope mce` against the exact value for isotherm field steps 0.05-1 T, top fields
5 and 1 T and isotherms 0.5, 1 and 3 K apart: a single-domain synthetic, and a demagnetised sample
(N = 1/3, 7 g/cm^3 unless given) analysed without and with --demag (docs/magnetics.md, "Field steps
near H = 0"). The material: the mean-field (Weiss-Brillouin J = 7/2) ferromagnet, or the Arrott-Noakes
equation of state with 3D Heisenberg or 3D Ising exponents, or any beta,gamma.

Usage: scripts/mce_field_step_table.py path/to/mgscope WORKDIR [N [T_STEPS_K [FAMILY]]]
  N: the demagnetising factor (1/3); T_STEPS_K: comma-separated isotherm spacings (0.5,1,3);
  FAMILY: mean-field (default), heisenberg (beta 0.365, gamma 1.386), ising (0.326, 1.237) or
  BETA,GAMMA (Arrott-Noakes with those exponents).
Every folder stays in WORKDIR (s_*, ref_*: synth mce, o_*: mce) for a look at any row; a synth folder
already there (its truth.json written) is reused, so a second run with another mgscope redoes only `mce`.
After the table, the counts the warning is judged by: rows erring by more than 5 % and how many of them
are not warned, rows erring by less than 2 % and how many of them are warned.
"""
import csv
import json
import subprocess
import sys
from pathlib import Path

DEMAG = ["--demag", sys.argv[3] if len(sys.argv) > 3 else "0.3333333", "--density", "7"]
T_STEPS_K = (sys.argv[4] if len(sys.argv) > 4 else "0.5,1,3").split(",")
FAMILIES = {"mean-field": [], "heisenberg": ["0.365", "1.386"], "ising": ["0.326", "1.237"]}


def model_args(family):
    """synth mce's options for the family: none for mean field, else --model arrott-noakes with exponents."""
    exponents = FAMILIES[family] if family in FAMILIES else family.split(",")
    if not exponents:
        return []
    beta, gamma = exponents
    return ["--model", "arrott-noakes", "--beta", beta, "--gamma", gamma]


def grid(t_step):
    # Isotherms within about 8 K of T0 = 100 K: 32 at 0.5 K, 16 at 1 K, 6 at 3 K; T0 is a midpoint.
    return ["--t-step-K", t_step, "--t-below-K", "8", "--t-above-K", "8", "--fc-step-K", "5"]


def table(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


def column_max(rows, name):
    return max(float(r[name]) for r in rows)


def exact_at(rows, field_T):
    """Largest exact -dSm over the midpoints at field_T, interpolated linearly between columns."""
    fields = [(float(k.split("_at_")[1][:-1]), k) for k in rows[0] if "_at_" in k]
    fields = [(0.0, None)] + sorted(fields)
    for (h0, k0), (h1, k1) in zip(fields, fields[1:]):
        if h0 <= field_T <= h1 + 1e-12:
            f = (field_T - h0) / (h1 - h0)
            return max((float(r[k0]) if k0 else 0.0) * (1 - f) + float(r[k1]) * f for r in rows)
    raise ValueError(f"{field_T} T outside the exact table")


def run(args):
    subprocess.run([str(a) for a in args], check=True, capture_output=True)


def synth(mgscope, folder, args):
    if not (folder / "truth.json").exists():  # the generator writes it last
        run([mgscope, "synth", "mce", *args, "-o", folder])


def main():
    mgscope, work = sys.argv[1], Path(sys.argv[2])
    family = sys.argv[5] if len(sys.argv) > 5 else "mean-field"
    model = model_args(family)
    n = "N = " + ("1/3" if DEMAG[1] == "0.3333333" else DEMAG[1])
    big = big_unwarned = small = small_warned = 0
    print("| T step | top field | first step | sample | --demag in mce | -dSm_max | exact | error | "
          "first interval | spacing | peak_doubt | warned |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for t_step in T_STEPS_K:
        for top in ("5", "1"):
            # The exact table at the internal field, 0.01 T apart, for the --demag analysis's top field.
            ref = work / f"ref_{t_step}_{top}"
            synth(mgscope, ref, [*model, "--field-max-T", top, "--field-step-T", "0.01", *grid(t_step), *DEMAG])
            internal = table(ref / "exact_dSm_internal.csv")
            for step in ("0.05", "0.1", "0.25", "0.5", "1"):
                for sample, demag_mce in (("single-domain", False), (n, False), (n, True)):
                    files = work / f"s_{t_step}_{top}_{step}_{sample[0]}"
                    extra = DEMAG if sample != "single-domain" else []
                    synth(mgscope, files, [*model, "--field-max-T", top, "--field-step-T", step, *grid(t_step), *extra])
                    out = work / f"o_{t_step}_{top}_{step}_{sample[0]}_{int(demag_mce)}"
                    run([mgscope, "mce", "--mh", files / "isotherms.dat", *(DEMAG if demag_mce else []), "-o", out])
                    result = json.loads((out / "mce.json").read_text())["entropy"]
                    merit = result["merit_by_field"][-1]
                    warned = bool(result["warnings"])  # the peak doubt's warning, the only one kept there
                    got_rows = table(out / "dSm.csv")
                    top_column = [k for k in got_rows[0] if k.startswith("minus_dSm")][-1]
                    got = column_max(got_rows, top_column)
                    if demag_mce:
                        exact = exact_at(internal, merit["mu0H_T"])
                    else:
                        exact_rows = table(files / "exact_dSm.csv")
                        exact = column_max(exact_rows, list(exact_rows[0])[-1])
                    used = "yes (" + format(merit["mu0H_T"], ".4g") + " T)" if demag_mce else "no"
                    error = 100 * (got / exact - 1)
                    print(f"| {t_step} K | {top} T | {step} T | {sample} | {used} | {got:.3f} | {exact:.3f} |"
                          f" {error:+.1f} % | {100 * merit['first_interval_doubt']:+.1f} % |"
                          f" {100 * merit['spacing_doubt']:+.1f} % | {100 * merit['peak_doubt']:+.1f} % |"
                          f" {'yes' if warned else 'no'} |",
                          flush=True)
                    big, big_unwarned = big + (abs(error) > 5), big_unwarned + (abs(error) > 5 and not warned)
                    small, small_warned = small + (abs(error) < 2), small_warned + (abs(error) < 2 and warned)
    print(f"\n{family}, {n}: {big} rows err by more than 5 %, {big_unwarned} of them not warned; "
          f"{small} by less than 2 %, {small_warned} of them warned")


if __name__ == "__main__":
    main()

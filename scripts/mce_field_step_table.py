#!/usr/bin/env python3
"""-dSm_max from `mgscope mce` against the exact value for isotherm field steps 0.05-1 T, top fields
5 and 1 T: the single-domain mean-field synthetic, and a demagnetised sphere (N = 1/3, 7 g/cm^3)
analysed without and with --demag (docs/magnetics.md, "Field steps near H = 0").

Usage: scripts/mce_field_step_table.py path/to/mgscope WORKDIR [N]   (N: the demagnetising factor, 1/3)
"""
import csv
import json
import subprocess
import sys
from pathlib import Path

GRID = ["--t-step-K", "0.5", "--t-below-K", "8", "--t-above-K", "8", "--fc-step-K", "5"]
DEMAG = ["--demag", sys.argv[3] if len(sys.argv) > 3 else "0.3333333", "--density", "7"]


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


def main():
    mgscope, work = sys.argv[1], Path(sys.argv[2])
    print("| top field | first step | sample | --demag in mce | -dSm_max | exact | error | first_interval_doubt |")
    print("|---|---|---|---|---|---|---|---|")
    for top in ("5", "1"):
        # The exact table at the internal field, 0.01 T apart, for the --demag analysis's top field.
        ref = work / f"ref_{top}"
        subprocess.run([mgscope, "synth", "mce", "--field-max-T", top, "--field-step-T", "0.01", *GRID, *DEMAG,
                        "-o", ref], check=True, capture_output=True)
        internal = table(ref / "exact_dSm_internal.csv")
        for step in ("0.05", "0.1", "0.25", "0.5", "1"):
            n = "N = " + ("1/3" if DEMAG[1] == "0.3333333" else DEMAG[1])
            for sample, demag_mce in (("single-domain", False), (n, False), (n, True)):
                synth = work / f"s_{top}_{step}_{sample[0]}"
                extra = DEMAG if sample != "single-domain" else []
                subprocess.run([mgscope, "synth", "mce", "--field-max-T", top, "--field-step-T", step, *GRID, *extra,
                                "-o", synth], check=True, capture_output=True)
                out = work / f"o_{top}_{step}_{sample[0]}_{int(demag_mce)}"
                subprocess.run([mgscope, "mce", "--mh", synth / "isotherms.dat", *(DEMAG if demag_mce else []),
                                "-o", out], check=True, capture_output=True)
                merit = json.loads((out / "mce.json").read_text())["entropy"]["merit_by_field"][-1]
                got_rows = table(out / "dSm.csv")
                top_column = [k for k in got_rows[0] if k.startswith("minus_dSm")][-1]
                got = column_max(got_rows, top_column)
                if demag_mce:
                    exact = exact_at(internal, merit["mu0H_T"])
                else:
                    exact_rows = table(synth / "exact_dSm.csv")
                    exact = column_max(exact_rows, list(exact_rows[0])[-1])
                used = "yes (" + format(merit["mu0H_T"], ".4g") + " T)" if demag_mce else "no"
                error = 100 * (got / exact - 1)
                print(f"| {top} T | {step} T | {sample} | {used} | {got:.3f} | {exact:.3f} | {error:+.1f} % |"
                      f" {100 * merit['first_interval_doubt']:.1f} % |", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Regenerates the demo study: four samples of one glass along the cryogenic thermal cycling (CTC)
# treatment (as-cast, 10, 20, 40 cycles), each a folder with its raw files and sample.toml, and
# study.toml. Every file comes from an `mgscope synth` generator, so the trends are known:
#   HRTEM ordered area fraction 3 % -> 7 % -> 13 % -> 9 % (rising to 20 cycles, then falling);
#   DSC relaxation enthalpy peaking at 20 cycles (samples/dsc, reused by relative path);
#   creep (5 repeats, NanoTest): tau_1 2.0 -> 2.6 -> 2.3 -> 2.1 s (max at 10 cycles), tau_2 20 -> 24 ->
#   28 -> 32 s (growing), h_1 8 -> 9 -> 11 -> 9 nm (L1 peak highest at 20 cycles);
#   hardness (4 x 4 grid, NanoTest): H 6.0 -> 5.6 -> 6.4 -> 5.5 GPa (falls at 10 and 40, rises at 20);
#   MPMS (mean-field ferromagnet, a demagnetised bulk piece, fine low-field steps): Tc 104 -> 97 -> 97 ->
#   104 K, -dSm_max at 5 T highest at 20 cycles (molar mass per Gd 320 -> 301 -> 284 -> 307 g/mol:
#   measured 9.2 -> 10.0 -> 10.7 -> 9.4 J/(kg K), Tc 104.3 -> 97.4 -> 97.5 -> 104.5 K, undoubted).
#   `mgscope mce` runs without --demag, as a user comparing with the literature's -dSm at 5 T applied.
# Usage: samples/study/make.sh [path/to/mgscope]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mgscope="${1:-$here/../../build/pipelines/mgscope}"

# sample folder, name, CTC cycles, HRTEM ordered fraction, DSC file (in samples/dsc), seed,
# Tc (K), molar mass per magnetic ion (g/mol), creep h_i (nm) and tau_i (s), hardness (GPa)
samples=(
  "ascast|as-cast|0|0.03|dsc_as_cast.txt|101|104|320|8,15|2.0,20|6.0"
  "ctc10|10 CTC cycles|10|0.07|dsc_10_cycles.txt|102|97|301|9,15|2.6,24|5.6"
  "ctc20|20 CTC cycles|20|0.13|dsc_20_cycles.txt|103|97|284|11,15|2.3,28|6.4"
  "ctc40|40 CTC cycles|40|0.09|dsc_40_cycles.txt|104|104|307|9,16|2.1,32|5.5"
)
fields_T=0,0.02,0.04,0.06,0.08,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1,1.5,2,2.5,3,3.5,4,4.5,5
for row in "${samples[@]}"; do
  IFS='|' read -r dir name cycles fraction dsc seed tc molar h_nm tau_s hardness <<<"$row"
  out="$here/$dir"
  mkdir -p "$out"
  # Two 512 x 512 images at 0.04 nm/px: 2 x 100 boxes of 2 nm per sample, 330 kB each.
  for k in 1 2; do
    "$mgscope" synth hrtem -o "$out" --name "hrtem_$k" --width 512 --height 512 --pixel-size 0.04nm \
      --ordered-fraction "$fraction" --seed "$((seed * 10 + k))" >/dev/null
    rm -f "$out/hrtem_${k}_labels.tif"  # the per-pixel truth is not needed here; the truth JSON stays
  done
  # FC M(T) at 500 Oe and M(H) isotherms 3 K apart (MPMS3 .dat) of a demagnetised bulk piece (a
  # sphere-like N = 1/3, 7 g/cm^3): fields as a real sequence, 0.02 T steps to 0.1 T (technical
  # saturation lies at a few hundred Oe), 0.1 T to 1 T, 0.5 T to 5 T.
  "$mgscope" synth mce -o "$out/mpms" --tc-K "$tc" --molar-mass "$molar" --fields-T "$fields_T" \
    --demag 0.3333333 --density 7 --t-below-K 36 --t-above-K 45 --fc-t-min-K 20 --fc-t-max-K 150 --fc-step-K 1 \
    --noise 0.0005 --seed "$seed" >/dev/null
  rm -f "$out/mpms/exact_dSm.csv" "$out/mpms/exact_dSm_internal.csv"
  # Creep: 5 repeats of load 50 mN, 120 s hold, unload; hardness: a 4 x 4 grid 20 um apart.
  "$mgscope" synth creep -o "$out/creep" --format nanotest --count 5 --h-nm "$h_nm" --tau-s "$tau_s" \
    --seed "$seed" >/dev/null
  "$mgscope" synth indent -o "$out/hardness" --format nanotest --grid 4 --hardness-GPa "$hardness" \
    --seed "$seed" >/dev/null
  cat >"$out/sample.toml" <<TOML
# Demo sample (synthetic, made by samples/study/make.sh); docs/report.md describes every key.
name = "$name"
composition = "Gd-based metallic glass (synthetic demo)"

[treatment]
ctc_cycles = $cycles

[hrtem]
files = ["hrtem_*.tif"]
options = { }

[creep]
files = ["creep/creep_*.txt"]
options = { figures = 2 }

[hardness]
files = ["hardness/indent_*.txt"]
options = { positions = "hardness/positions.csv", figures = 2 }

[dsc]
files = ["../../dsc/$dsc"]
options = { treatment-name = "CTC cycles" }

[mce]
options = { mt = "mpms/fc.dat", mh = "mpms/isotherms.dat" }
TOML
done

cat >"$here/study.toml" <<TOML
# Demo study: mgscope study samples/study/study.toml -o OUTDIR
name = "CTC demo study (synthetic)"
treatment = "ctc_cycles"
treatment_label = "CTC cycles"
samples = ["ascast/sample.toml", "ctc10/sample.toml", "ctc20/sample.toml", "ctc40/sample.toml"]

# Fig. 7: the Gd-Co(-X) glasses at 5 T without Fe, Er or Tb (11 rows, n = -0.686 +- 0.107), with this
# study's samples added. The reference table lives in ../shared, outside the repository: when it is
# absent the power law is skipped with a warning and the figure shows the samples alone.
[powerlaw]
files = ["../../../shared/data/reference/gd_mg_mce_reference.csv"]
options = { field-T = 5, match = "Co", exclude = "Fe|Er|Tb" }
TOML
echo "demo study written to $here"

#!/usr/bin/env python3
"""The speed issue's targets, each measured in one run and printed as a ratio to its target.

Usage: speed_targets.py BUILD_DIR WORK_DIR [--big]
  BUILD_DIR holds pipelines/mgscope and tests/benchmarks/hardware_bound (a build with
  -DMGSCOPE_BUILD_BENCHMARKS=ON); WORK_DIR receives the synthetic images and outputs.
  --big also measures the peak memory of a 16384 x 16384 image (about 3 minutes more).

Every time is the median of several whole-process runs (wall clock, /usr/bin/time for peak
memory); the 4096^2 ratios are medians of ratios taken round by round (each of five rounds runs the
command, the bound and numpy once), so that the machine's drift cancels. The images are synthetic
glass at 0.0199 nm/px (100 px boxes), stored as uncompressed 16-bit TIFF as the issue's reference
was (decoding Deflate is the file's cost, not the analysis').
Nothing here is a test: numbers depend on the machine and on what else runs on it.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import tifffile

PIXEL = "0.0199nm"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def timed(cmd, repeats=3):
    """Median wall seconds and the largest peak resident memory (MiB) over `repeats` runs."""
    walls, peak = timed_runs(cmd, repeats)
    return statistics.median(walls), peak


def timed_runs(cmd, repeats):
    """Each run's wall seconds, and the largest peak resident memory (MiB) over the runs."""
    walls, peaks = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        walls.append(time.perf_counter() - t0)
        if r.returncode not in (0, 1):
            sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
        peaks.append(int(r.stderr.strip().splitlines()[-1]) / 1024)
    return walls, max(peaks)


def synth(mgscope, work, name, side, seed, extra=()):
    """An uncompressed 16-bit TIFF of synthetic glass (10 % ordered), made once; `extra`: more
    `mgscope synth hrtem` options (vacuum, a scale bar)."""
    path = os.path.join(work, name + ".tif")
    if not os.path.exists(path):
        run([mgscope, "synth", "hrtem", "-o", work, "--name", name + "_deflate", "--width", str(side), "--height", str(side),
             "--ordered-fraction", "0.1", "--seed", str(seed)] + list(extra))
        src = os.path.join(work, name + "_deflate.tif")
        tifffile.imwrite(path + ".tmp", tifffile.imread(src), photometric="minisblack")
        os.replace(path + ".tmp", path)
        for suffix in ("_deflate.tif", "_deflate_labels.tif", "_deflate_truth.json"):
            if os.path.exists(os.path.join(work, name + suffix)):
                os.remove(os.path.join(work, name + suffix))
    return path


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build, work = sys.argv[1], sys.argv[2]
    big = "--big" in sys.argv[3:]
    mgscope = os.path.join(build, "pipelines", "mgscope")
    bound_exe = os.path.join(build, "tests", "benchmarks", "hardware_bound")
    here = os.path.dirname(os.path.abspath(__file__))
    numpy_ref = os.path.join(here, "..", "tests", "benchmarks", "hrtem_numpy_reference.py")
    os.makedirs(work, exist_ok=True)
    cores = os.cpu_count() or 1
    rows = []  # (measure, value, target, ratio to target: > 1 means met)

    def add(measure, value, target, ratio):
        rows.append((measure, value, target, ratio))

    # Process start: 50 runs from one shell loop, less the same loop of /bin/true (the cost of
    # starting any process from the shell), median of 5 such pairs.
    def loop_s(cmd):
        t0 = time.perf_counter()
        subprocess.run(["sh", "-c", f"for i in $(seq 50); do {cmd} >/dev/null; done"], check=True)
        return time.perf_counter() - t0
    starts = [(loop_s(f"'{mgscope}' --version") - loop_s("/bin/true")) / 50 for _ in range(5)]
    start_ms = 1000 * statistics.median(starts)
    add("process start (mgscope --version, beyond a bare process)", f"{start_ms:.1f} ms", "< 10 ms", 10 / start_ms)

    # One 4096^2 image, whole command, against numpy and against the hardware bound.
    img = synth(mgscope, work, "big4096", 4096, 1)
    out = os.path.join(work, "out")
    base = [mgscope, "hrtem", img, "-o", out, "--pixel-size", PIXEL, "--force"]  # --force: no up-to-date skip
    for label, extra, stride_frac in (("stride = box", [], 1.0), ("stride = box/2", ["--stride", "0.9925nm"], 0.5)):
        timed(base + extra)  # once unmeasured: the sizes below, and a warm page cache
        grid_boxes = len(open(os.path.join(out, "big4096", "tiles.csv")).read().splitlines()) - 1
        summary = json.load(open(os.path.join(out, "big4096", "summary.json")))
        sliding = summary["area_map"]["boxes"] - summary["area_map"]["boxes_shared_with_box_grid"]
        # The image's own null calibration of the spot threshold, which the issue counts in its budget
        # but not in its bound: the crops whose spectra it reads, the fields it draws and the boxes it
        # measures on them (imaging/spot_threshold.cpp: crops of the largest 7-smooth side up to
        # 1024 px, boxes at half-box steps, as many fields as the null boxes need).
        null_boxes = summary["threshold"]["null_boxes"]
        null_crops = int(re.search(r"\((\d+) crop", summary["threshold"]["description"]).group(1))
        null_side = 1024  # 4096^2: the rule's side
        null_fields = null_boxes // ((null_side - 100) // 50 + 1) ** 2
        null_args = [str(null_side), str(null_crops), str(null_fields), str(null_boxes)]
        # Five rounds, each running everything once: the command with and without the area map,
        # the bound, and numpy (the box grid alone, and the box grid plus the sliding boxes of the
        # area map, each timed inside the same run). The machine's speed drifts by a third within
        # the hour, so each ratio is taken within a round and the median of the five is printed;
        # the bound runs right after the command, before numpy's 5-15 s, so that the ratio to it
        # spans the least drift.
        rounds = []
        for _ in range(5):
            wall_off, _ = timed(base + extra + ["--area-stride", "off"], repeats=1)
            wall, peak = timed(base + extra, repeats=1)
            bound = dict(line.split() for line in
                         run([bound_exe, img, "100", str(grid_boxes), str(sliding), str(cores)] + null_args).stdout.splitlines())
            npy = run(["/usr/bin/python3", numpy_ref, img, "0.0199", str(stride_frac), "0.25"]).stdout.splitlines()
            grid_bound_ms = float(bound["read_ms"]) + float(bound["grid_ms"])
            rounds.append({"wall": wall, "wall_off": wall_off, "peak": peak,
                           "numpy": float(npy[0].split(" in ")[1].split(" s")[0]),
                           "numpy_total": float(npy[-1].split(" in ")[1].split(" s")[0]),
                           "read_ms": float(bound["read_ms"]), "grid_bound_ms": grid_bound_ms,
                           "work_bound_ms": grid_bound_ms + float(bound["sliding_ms"]),
                           "null_bound_ms": float(bound["null_ms"])})

        def ratio(f):  # the median over the rounds of f(round)
            return statistics.median(f(r) for r in rounds)

        def median(key):
            return ratio(lambda r: r[key])

        target_bound = 3 if stride_frac == 1.0 else 2
        vs_numpy = ratio(lambda r: r["numpy_total"] / r["wall"])
        vs_numpy_off = ratio(lambda r: r["numpy"] / r["wall_off"])
        vs_bound = ratio(lambda r: 1000 * r["wall"] / r["work_bound_ms"])
        vs_bound_off = ratio(lambda r: 1000 * r["wall_off"] / r["grid_bound_ms"])
        add(f"4096^2 {label}, default outputs: wall (peak)", f"{1000 * median('wall'):.0f} ms ({max(r['peak'] for r in rounds):.0f} MiB)", "", None)
        add(f"4096^2 {label}, --area-stride off: wall", f"{1000 * median('wall_off'):.0f} ms", "", None)
        add(f"  numpy reference, box grid ({grid_boxes} boxes)", f"{1000 * median('numpy'):.0f} ms", "", None)
        add(f"  numpy reference, box grid + {sliding} sliding boxes", f"{1000 * median('numpy_total'):.0f} ms", "", None)
        add(f"  vs numpy, default outputs (numpy: grid + sliding)", f"{vs_numpy:.2f}x numpy", ">= 10x", vs_numpy / 10)
        add(f"  vs numpy, --area-stride off (numpy: grid)", f"{vs_numpy_off:.2f}x numpy", ">= 10x", vs_numpy_off / 10)
        add(f"  default outputs against numpy's grid alone", f"{ratio(lambda r: r['numpy'] / r['wall']):.2f}x numpy", "", None)
        add(f"  hardware bound of the box grid (read {median('read_ms'):.0f} ms + FFTW r2c+c2r on {cores} cores)",
            f"{median('grid_bound_ms'):.0f} ms", "", None)
        add(f"  vs that bound, --area-stride off", f"{vs_bound_off:.1f}x the bound", f"<= {target_bound}x",
            target_bound / vs_bound_off)
        add(f"  the grid's bound with its own null calibration (+ {null_crops} r2c and {null_fields} c2r of "
            f"{null_side}^2, r2c of {null_boxes} null boxes)",
            f"{median('grid_bound_ms') + median('null_bound_ms'):.0f} ms", "", None)
        add(f"  vs that bound, --area-stride off (no target: the issue's bound leaves the calibration out)",
            f"{ratio(lambda r: 1000 * r['wall_off'] / (r['grid_bound_ms'] + r['null_bound_ms'])):.1f}x the bound", "", None)
        add(f"  bound of the work done by default (+ r2c of {sliding} sliding boxes)", f"{median('work_bound_ms'):.0f} ms", "", None)
        add(f"  vs that bound, default outputs", f"{vs_bound:.1f}x the bound", f"<= {target_bound}x", target_bound / vs_bound)
        add(f"  the rounds' ratios to the bound, default outputs",
            " / ".join(f"{1000 * r['wall'] / r['work_bound_ms']:.2f}" for r in rounds), "", None)

    # A batch of 20 images of 2048^2 in one call, default outputs (one null calibration for the
    # batch, each image's spectrum checked against it).
    batch = [synth(mgscope, work, f"b2048_{k:02d}", 2048, 100 + k) for k in range(20)]
    batch_cmd = [mgscope, "hrtem"] + batch + ["-o", os.path.join(work, "batch"), "--pixel-size", PIXEL, "--force"]
    # Once unmeasured, as the 4096^2 image above: a warm page cache, and on a VM the memory the numpy
    # runs took and freed supplied to the guest again (the first batch after them ran 0.3-0.6 s slower).
    # Five runs, the median kept: the VM's speed swings by a quarter within minutes, and the runs'
    # range is printed so that a reader sees how far one run can be from the next.
    timed(batch_cmd, repeats=1)
    walls, peak = timed_runs(batch_cmd, 5)
    wall = statistics.median(walls)
    add("batch of 20 x 2048^2, default outputs",
        f"{20 / wall:.2f} images/s ({wall:.2f} s, runs {min(walls):.2f}-{max(walls):.2f} s, {peak:.0f} MiB)",
        ">= 10 images/s", 20 / wall / 10)
    wall, peak = timed([mgscope, "hrtem"] + batch + ["-o", os.path.join(work, "batch_each"), "--pixel-size", PIXEL,
                                                      "--force", "--threshold-each-image"], repeats=2)
    add("  the same with --threshold-each-image (a null calibration per image)", f"{20 / wall:.2f} images/s ({wall:.1f} s)",
        "", None)

    # (Not a target) what real micrographs add: 8 images of 2048^2 with 30 % vacuum behind a
    # Fresnel-fringed edge and a burned-in 5 nm scale bar (the specimen mask, the edge normals, the
    # weighted null, the left-out boxes on the overlay), against 8 of the batch above in the same run.
    rough = [synth(mgscope, work, f"v2048_{k:02d}", 2048, 300 + k, ["--vacuum", "0.3", "--scale-bar", "5nm"])
             for k in range(8)]
    walls = {}
    for _ in range(3):
        for name, images in (("plain", batch[:8]), ("vacuum", rough)):
            wall, _ = timed([mgscope, "hrtem"] + images + ["-o", os.path.join(work, "rough"), "--pixel-size", PIXEL,
                                                            "--force"], repeats=1)
            walls.setdefault(name, []).append(wall)
    plain, vacuum = statistics.median(walls["plain"]), statistics.median(walls["vacuum"])
    add("(not a target) 8 x 2048^2 with 30 % vacuum and a scale bar, against 8 without",
        f"{8 / vacuum:.2f} against {8 / plain:.2f} images/s: {vacuum / plain:.2f}x the time", "", None)

    # Any pixel size: the same 2048^2 image read at 0.0205 nm/px, where a 1.985 nm box is 97 px (a
    # prime: FFTW's slow case, transformed by chirp-z), against 0.0199 (100 px), rounds alternating.
    at_size = {}
    for _ in range(3):
        for pixel in ("0.0199nm", "0.0205nm"):
            wall, _ = timed([mgscope, "hrtem", batch[0], "-o", os.path.join(work, "any_size"), "--pixel-size", pixel,
                             "--force"], repeats=1)
            at_size.setdefault(pixel, []).append(wall)
    w100, w97 = statistics.median(at_size["0.0199nm"]), statistics.median(at_size["0.0205nm"])
    add("2048^2 at 0.0205 nm/px (97 px boxes, chirp-z) against 0.0199 (100 px)",
        f"{1000 * w97:.0f} against {1000 * w100:.0f} ms: {w97 / w100:.2f}x", "", None)

    # Same bytes for any thread count.
    outs = []
    for t in (1, cores):
        d = os.path.join(work, f"threads{t}")
        run([mgscope, "hrtem", batch[0], batch[1], "-o", d, "--pixel-size", PIXEL, "--threads", str(t)])
        outs.append(d)
    same = subprocess.run(["diff", "-r", outs[0], outs[1]], stdout=subprocess.DEVNULL).returncode == 0
    add(f"outputs with 1 and {cores} threads", "byte-identical" if same else "DIFFERENT", "identical", 1.0 if same else 0.0)

    if big:
        img = synth(mgscope, work, "big16384", 16384, 7)
        wall, peak = timed([mgscope, "hrtem", img, "-o", out, "--pixel-size", PIXEL, "--force"], repeats=1)
        add("16384^2 uint16, default outputs: peak memory", f"{peak:.0f} MiB ({wall:.1f} s)", "<= 700 MiB", 700 / peak)

    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'measure':<{width}}  {'value':<{value_width}} {'target':<16} met")
    for measure, value, target, ratio in rows:
        met = "" if ratio is None else ("yes" if ratio >= 1 else f"no ({ratio:.2f} of target)")
        print(f"{measure:<{width}}  {value:<{value_width}} {target:<16} {met}")


if __name__ == "__main__":
    main()

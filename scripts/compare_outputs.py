#!/usr/bin/env python3
"""Compares two output folders of mgscope (e.g. two runs of the demo study): every number in every
CSV and JSON file (stamps left out) to 1e-9 relative, printing each difference and their count.
Paths, timing and version fields are ignored. Used to check that a refactoring changed no result:
  python3 scripts/compare_outputs.py OLD_OUT NEW_OUT"""
import csv, json, math, os, sys
a, b = sys.argv[1], sys.argv[2]
bad = 0
def num(x):
    try: return float(x)
    except Exception: return None
def cmp(x, y, where):
    global bad
    if isinstance(x, dict) and isinstance(y, dict):
        for k in set(x) | set(y):
            if k in ('elapsed_s', 'started', 'finished', 'time', 'duration_s', 'command', 'path', 'paths', 'output', 'out_dir', 'inputs', 'version'): continue
            if k not in x or k not in y: print(f'{where}/{k}: only in {"b" if k not in x else "a"}'); bad += 1; continue
            cmp(x[k], y[k], f'{where}/{k}')
    elif isinstance(x, list) and isinstance(y, list):
        if len(x) != len(y): print(f'{where}: length {len(x)} vs {len(y)}'); bad += 1; return
        for i, (p, q) in enumerate(zip(x, y)): cmp(p, q, f'{where}[{i}]')
    else:
        nx, ny = num(x) if not isinstance(x, bool) else None, num(y) if not isinstance(y, bool) else None
        if nx is not None and ny is not None:
            if math.isnan(nx) and math.isnan(ny): return
            if abs(nx - ny) > 1e-9 * max(abs(nx), abs(ny), 1e-300): print(f'{where}: {x} vs {y}'); bad += 1
        elif x != y and not (isinstance(x, str) and '/tmp/' in x):
            print(f'{where}: {str(x)[:80]!r} vs {str(y)[:80]!r}'); bad += 1
for root, _, files in os.walk(a):
    for f in files:
        pa = os.path.join(root, f); pb = os.path.join(b, os.path.relpath(pa, a))
        if not os.path.exists(pb): print('missing in b:', pb); bad += 1; continue
        if f.endswith('.json') and not f.startswith('.mgscope'):
            cmp(json.load(open(pa)), json.load(open(pb)), os.path.relpath(pa, a))
        elif f.endswith('.csv'):
            ra, rb = list(csv.reader(open(pa))), list(csv.reader(open(pb)))
            cmp(ra, rb, os.path.relpath(pa, a))
print('differences:', bad)

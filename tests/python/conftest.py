"""Fixtures of the Python module's tests: the module from the build folder (PYTHONPATH, set by
ctest), the `mgscope` executable beside it (MGSCOPE_EXE) to compare with, the bundled samples."""
import csv
import math
import os
import pathlib
import subprocess

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("MGSCOPE_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SAMPLES = SOURCE_DIR / "samples"


def exe():
    path = os.environ.get("MGSCOPE_EXE")
    if not path:
        pytest.skip("MGSCOPE_EXE is not set: run these tests through ctest")
    return path


def run_cli(*args, check=True):
    """Runs the command line from the source folder (so paths in its outputs match ours)."""
    return subprocess.run([exe(), *map(str, args)], cwd=SOURCE_DIR, capture_output=True, text=True, check=check)


def cli_error(*args):
    """The message of the command's "ERROR: <message>" line for a bad input."""
    done = run_cli(*args, check=False)
    assert done.returncode != 0, done.stdout
    lines = [l[len("ERROR: "):] for l in done.stderr.splitlines() if l.startswith("ERROR: ")]
    assert lines, done.stderr
    return lines[0]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def assert_table_equals_csv(table, rows):
    """Every cell of the CLI's CSV equals the table's value (both parsed from the same digits)."""
    assert list(table) == list(rows[0])
    for name, column in table.items():
        assert len(column) == len(rows)
        for value, row in zip(column, rows):
            cell = row[name]
            if isinstance(value, str):
                assert value == cell, name
            elif cell == "":
                assert math.isnan(value), name
            else:
                assert value == float(cell), (name, value, cell)


def printed(value, digits):
    """A number as the CLI's CSV cells print it (%.{digits}g; empty for NaN)."""
    if value != value:
        return ""
    return "%.*g" % (digits, value)


@pytest.fixture
def rel(monkeypatch):
    """Sample paths as the CLI is given them: relative to the source folder, run from there."""
    monkeypatch.chdir(SOURCE_DIR)
    return lambda p: str(pathlib.Path(p).relative_to(SOURCE_DIR)) if pathlib.Path(p).is_absolute() else p

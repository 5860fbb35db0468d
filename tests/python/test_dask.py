"""The docs/python.md Dask example: images analysed on a 2-worker dask.distributed LocalCluster give
the CLI's combined.csv."""
import pytest

from conftest import SOURCE_DIR, run_cli

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (Debian python3-distributed): Dask example not run")


def test_local_cluster_gives_the_cli_combined_table(tmp_path):
    import mgscope

    paths = [str(SOURCE_DIR / "samples/hrtem" / name) for name in ("ascast_1.tif", "treated_1.tif", "ascast_2.tif")]
    run_cli("hrtem", *paths, "-o", tmp_path / "each", "--threshold-each-image")  # each alone, as mgscope.hrtem
    run_cli("hrtem", *paths, "-o", tmp_path / "once")  # one calibration, on the first image
    # processes=True: the results (and the calibration sent with the calls) travel pickled, as
    # they would between machines.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        results = client.gather(client.map(mgscope.hrtem, paths, pandas=False, threads=1))
        first = results[0]
        rest = client.gather(client.map(mgscope.hrtem, paths[1:], pandas=False, threads=1,
                                        threshold_from=first["spot_calibration"]))
    assert [r["input"]["path"] for r in results] == paths  # in input order
    assert mgscope.hrtem_combined_csv(results) == (tmp_path / "each" / "combined.csv").read_text()
    assert mgscope.hrtem_combined_csv([first] + rest) == (tmp_path / "once" / "combined.csv").read_text()

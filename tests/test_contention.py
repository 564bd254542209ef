"""Contention, in the suite: gunicorn with 3 workers on a SQLite file takes 200 concurrent writes through the forms.

The same run as bench/contention.py (which does 2,000 and prints the
figures), smaller: no 5xx, no "database is locked", every acknowledged
write stored exactly once, nothing refused.
"""
import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parent.parent / "bench" / "contention.py"


def contention_bench():
    spec = importlib.util.spec_from_file_location("contention_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_on_sqlite_stores_every_acknowledged_write_of_many_at_once(tmp_path):
    report = contention_bench().run(writes=200, clients=8, workers=3, folder=tmp_path / "contention")
    assert len(report.writes) == 200
    assert report.sign_in_failures == 0 and not report.errors, report.table()
    assert report.server_errors == 0 and report.locked == 0 and report.tracebacks == 0, report.table()
    assert all(w.acknowledged for w in report.writes), report.table()
    assert report.lost() == [] and report.unacknowledged_stored() == 0, report.table()
    for kind in ("rotations", "results"):
        assert len(report.stored[kind]) == len(report.of(kind)) > 80, kind

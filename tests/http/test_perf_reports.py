"""Every benchmark report published in docs/perf/ keeps its raw data
beside it, and is what the bench writes from that data: `bench/run
--chart-only` on the .json gives the .md byte for byte. A figure edited by
hand, or a report whose runs were lost, fails here."""

import glob
import json
import os
import shutil
import subprocess

import pytest

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
PERF = os.path.join(ROOT, "docs", "perf")
REPORTS = sorted(glob.glob(os.path.join(PERF, "*.md")))


def test_there_is_a_published_report():
    assert REPORTS, "docs/perf/ holds no report"


@pytest.mark.parametrize("md", REPORTS, ids=os.path.basename)
def test_report_has_its_raw_data_beside_it(md):
    raw = md[:-3] + ".json"
    assert os.path.exists(raw), "%s has no %s" % (
        os.path.basename(md), os.path.basename(raw))


@pytest.mark.parametrize("md", REPORTS, ids=os.path.basename)
def test_report_is_written_from_its_raw_data(md, tmp_path):
    shutil.copy(md[:-3] + ".json", tmp_path / "results.json")
    r = subprocess.run([os.path.join(ROOT, "bench", "run"), "--chart-only",
                        "--out", str(tmp_path)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(md) as f:
        published = f.read()
    assert (tmp_path / "results.md").read_text() == published


@pytest.mark.parametrize("md", REPORTS, ids=os.path.basename)
def test_raw_data_holds_every_run(md):
    """The raw data is the runs themselves, not the medians alone."""
    with open(md[:-3] + ".json") as f:
        results = json.load(f)
    for r in results["keygate"]:
        for name, s in r["routes"].items():
            assert s.get("runs"), "%s: %s has no runs" % (
                os.path.basename(md), name)

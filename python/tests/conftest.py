"""Fixtures shared by the Python test files."""
import csv
import os

import pytest

SOURCE = os.environ.get("CXM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.join(SOURCE, "examples", "data", "responses.csv")


@pytest.fixture
def one_line_sample(tmp_path):
    """A copy of the sample whose quoted comments that span lines are made one
    line (the line breaks become spaces): a file a byte range may cut."""
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    path = tmp_path / "one_line.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows([[c.replace("\n", " ") for c in r] for r in rows])
    return str(path)

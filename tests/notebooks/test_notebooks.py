"""The notebooks run top to bottom against the demo graph, and are stored without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_three_notebooks_stored_without_outputs() -> None:
    assert [p.stem for p in NOTEBOOKS] == [
        "01-explore-the-graph", "02-actor-deep-dive", "03-writing-your-own-cypher",
    ]  # fmt: skip
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, path


@pytest.mark.neo4j
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_against_the_demo_graph(path: Path, demo_run: dict) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()  # fmt: skip
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # the first data cell of each notebook shows rows: the demo graph is not empty
    tables = [o for o in outputs if "text/html" in o.get("data", {})]
    assert tables, f"{path.name} showed no table"

"""Shared fixtures. Neo4j is real: the local one (started here if it is not running yet) or the
server ``NEO4J_URI`` names. Tests that need it never skip: no Neo4j is a failure."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from neo4j import Driver

from chipwatch.settings import Settings
from graph import local
from graph.connection import connect


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def neo4j_driver(settings: Settings) -> Iterator[Driver]:
    if not settings.neo4j.external:
        local.start(settings)  # finds the running one, or starts it
    driver = connect(settings)
    try:
        yield driver
    finally:
        driver.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def demo_run(neo4j_driver: Driver, settings: Settings) -> dict[str, object]:
    """`chipwatch demo` once per session, as a user runs it: the demo graph the notebook,
    report and timeline tests read. Its failure fails them."""
    import os
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "chipwatch", "demo"], capture_output=True,
                          text=True, timeout=900, env=dict(os.environ))  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return {"proc": proc, "report": settings.home / "report.html"}

"""Running `chipwatch crawl` as ops do (a subprocess) against the local demo site."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

# The demo site is on loopback: no politeness delays, quick retries, so tests stay fast.
FAST = [
    "--set", "AUTOTHROTTLE_START_DELAY=0", "--set", "DOWNLOAD_DELAY=0",
    "--set", "RETRY_BACKOFF_BASE=0.05", "--set", "DOWNLOAD_TIMEOUT=5",
    "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "--set", "CHIPWATCH_BLOCK_PRIVATE=false",
]  # fmt: skip


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def write_sources(path: Path, sources: list[dict[str, Any]]) -> Path:
    lines: list[str] = []
    for source in sources:
        lines.append("[[source]]")
        nested = {k: v for k, v in source.items() if isinstance(v, dict)}
        lines += [f"{k} = {toml_value(v)}" for k, v in source.items() if k not in nested]
        for key, table in nested.items():
            lines.append(f"[source.{key}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def crawl_cmd(sources_file: Path, store: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "chipwatch", "crawl", "--sources-file", str(sources_file),
        "--store", str(store), "--json", "--quiet", *FAST, *extra,
    ]  # fmt: skip


def run_crawl(sources_file: Path, store: Path, *extra: str, timeout: float = 300) -> dict[str, Any]:
    env = dict(os.environ)
    proc = subprocess.run(
        crawl_cmd(sources_file, store, *extra), capture_output=True, text=True,
        timeout=timeout, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    first_brace = proc.stdout.index("{")
    return json.loads(proc.stdout[first_brace:])

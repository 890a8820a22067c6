"""Runs fuzz-target inputs in this (child) process, one at a time, each under a time limit, and
prints one JSON line per input with its outcome, time and the process's peak RSS.

    python -m tests.reliability.replay html FILE...             # replay corpus files
    python -m tests.reliability.replay feed --generate nested   # a generated huge input

Tests start it in a subprocess (``run_child``), so that a hang in C code, a crash of the
interpreter or a memory blow-up is seen from outside and cannot take pytest down with it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


class InputTimeout(Exception):
    """An input ran past its time limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raises ``InputTimeout`` in the block after ``seconds`` (SIGALRM; main thread only).
    A timer already running (pytest-timeout's) is put back afterwards, minus the time used."""

    def expire(signum: int, frame: Any) -> None:
        raise InputTimeout(f"over the {seconds:g} s limit")

    old_handler = signal.signal(signal.SIGALRM, expire)
    old_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay:
            signal.setitimer(
                signal.ITIMER_REAL, max(old_delay - (time.monotonic() - started), 0.001)
            )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


# -- generated hostile inputs -------------------------------------------------------------


def _nested_divs(size: int) -> bytes:
    return b"<html><body>" + b"<div>" * (size // 5) + b"<p>deep</p>"


def _flat_paragraphs(size: int) -> bytes:
    para = b"<p>Export licences for lithography tools were reviewed again this week.</p>\n"
    return b"<html><body><article>" + para * (size // len(para)) + b"</article></body></html>"


def _nested_xml(depth: int) -> bytes:
    return (
        b'<?xml version="1.0"?><rss><channel>'
        + b"<x>" * depth
        + b"</x>" * depth
        + b"</channel></rss>"
    )


def _many_items(count: int) -> bytes:
    item = b"<item><title>t</title><link>https://news.example.org/%d</link></item>"
    return b"<rss><channel>" + b"".join(item % i for i in range(count)) + b"</channel></rss>"


def _gzip_bomb(size: int) -> bytes:
    member = gzip.compress(b"\0" * (16 * MB), compresslevel=9)
    return member * (size // (16 * MB))


def _date_soup(size: int) -> bytes:
    chunk = b"In May 5 and last May, on 3 March 2023 or Q3 2024 \t\t this year   2023-10-17 "
    return b"\x60\x05\x10\x10" + chunk * (size // len(chunk)) + b" " * (size // 4)


def _deep_json(depth: int) -> bytes:
    return b"\x00" + b"[" * depth + b"]" * depth


def _huge_text(size: int) -> bytes:
    sentence = "The United States restricted exports of chipmaking tools to China in October 2022. "
    text = sentence * (size // len(sentence))
    return (
        b"\x00"
        + json.dumps(
            {"url": "https://x.example/a", "published": "2024-12-02", "text": text}
        ).encode()
    )


GENERATORS: dict[str, dict[str, Callable[[], bytes]]] = {
    "html": {
        "nested_divs_50mb": lambda: b"\x01" + _nested_divs(50 * MB),
        "flat_paragraphs_50mb": lambda: b"\x01" + _flat_paragraphs(50 * MB),
        "nested_divs_5mb": lambda: b"\x01" + _nested_divs(5 * MB),
    },
    "feed": {
        "nested_xml_100k": lambda: _nested_xml(100_000),
        "items_200k": lambda: _many_items(200_000),
        "gzip_bomb_1gib": lambda: _gzip_bomb(1024 * MB),
    },
    "dates": {
        "date_soup_1mb": lambda: _date_soup(MB),
        "date_soup_100kb": lambda: _date_soup(100_000),
    },
    "extract": {
        "deep_json_100k": lambda: _deep_json(100_000),
        "huge_text_50mb": lambda: _huge_text(50 * MB),
        "huge_text_20kb": lambda: _huge_text(20_000),
    },
}


# Loads what a target loads lazily (trafilatura, spaCy and the KB), so that it is not counted.
WARM_UP = {
    "extract": b"\x00"
    + json.dumps(
        {
            "url": "https://x.example/w",
            "published": "2024-12-02",
            "text": "The United States restricted exports to China.",
        }
    ).encode(),
}


# -- running ------------------------------------------------------------------------------


def run_one(target: Callable[[bytes], None], data: bytes, limit: float) -> dict[str, Any]:
    started = time.monotonic()
    outcome: dict[str, Any] = {"ok": True, "error": None}
    try:
        with time_limit(limit):
            target(data)
    except InputTimeout as e:
        outcome = {"ok": False, "error": f"timeout: {e}"}
    except BaseException as e:  # noqa: BLE001 - any escape is the finding
        outcome = {
            "ok": False,
            "error": f"{type(e).__name__}: {e}"[:500],
            "traceback": traceback.format_exc()[-3000:],
        }
    outcome["seconds"] = round(time.monotonic() - started, 3)
    outcome["rss_mb"] = round(peak_rss_mb(), 1)
    return outcome


def main(argv: list[str] | None = None) -> int:
    from tests.reliability.targets import TARGETS

    parser = argparse.ArgumentParser()
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("files", nargs="*")
    parser.add_argument("--generate", help="a generated input instead of files")
    parser.add_argument("--limit", type=float, default=20.0, help="seconds per input")
    args = parser.parse_intermixed_args(argv)
    target = TARGETS[args.target]
    run_one(target, WARM_UP.get(args.target, b"\x01<p>warm-up</p>"), 120)  # lazy imports, models
    if args.generate:
        data = GENERATORS[args.target][args.generate]()
        before = peak_rss_mb()
        result = run_one(target, data, args.limit)
        result.update(
            input=args.generate, input_mb=round(len(data) / MB, 1), rss_before_mb=round(before, 1)
        )
        print(json.dumps(result), flush=True)
        return 0
    for name in args.files:
        result = run_one(target, Path(name).read_bytes(), args.limit)
        result["input"] = name
        print(json.dumps(result), flush=True)
    return 0


def run_child(target: str, *args: str, timeout: float) -> list[dict[str, Any]]:
    """Runs this module in a subprocess and returns its results; a child that dies or runs
    past ``timeout`` gives one failed result that says so."""
    cmd = [sys.executable, "-m", "tests.reliability.replay", target, *args]
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return [
            {
                "ok": False,
                "error": f"the child ran past {timeout} s (a hang in C code?)",
                "input": args,
            }
        ]
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0:
        results.append(
            {
                "ok": False,
                "error": f"the child exited {proc.returncode}: {proc.stderr[-2000:]}",
                "input": args,
            }
        )
    return results


if __name__ == "__main__":
    sys.exit(main())


def run_measured(
    cmd: list[str], *, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Runs ``cmd`` and returns its exit code, output, wall time and peak RSS (from wait4).
    A child still running after ``timeout`` is killed and reported with ``timed_out``."""
    import os
    import tempfile

    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, env=env)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                timed_out = True
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return {
            "returncode": proc.returncode,
            "timed_out": timed_out,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
            "seconds": round(time.monotonic() - started, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        }

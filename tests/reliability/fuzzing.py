"""What the atheris harnesses (``fuzz_<target>.py``) share: libFuzzer's options with our
defaults, the corpus layout, crash capture, and the instrumented import of the code under test.

    python tests/reliability/fuzz_html.py -runs=5000
    python tests/reliability/fuzz_feed.py -max_total_time=120

Inputs come from ``corpus/<target>/`` (our seeds and past crashes, read only) and a scratch
directory where libFuzzer keeps the inputs it finds interesting, so the repository gains only
failing inputs. A failing input is saved as ``corpus/<target>/crash-<sha1>`` once per distinct
failure (exception type and the place it was raised), and fuzzing goes on, so that one known
bug does not hide the next; ``test_fuzz_corpus.py`` replays every such file from then on.
Hangs and memory blow-ups are libFuzzer's to catch (``-timeout``, ``-rss_limit_mb``): it saves
``timeout-*``/``oom-*`` there too and stops. Without ``-runs``/``-max_total_time``: 60 s.

Each run ends with one line that ``make reliability`` reads:
``chipwatch-fuzz: target=html runs=1234 seconds=60.1 failures=0 new_failures=0 distinct=0``.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# What each target imports: instrumented for coverage feedback (our packages only; lxml and
# libxml2 are C, and instrumenting trafilatura or spaCy would slow every run for little gain).
MODULES = {
    "html": ["crawler.extract"],
    "feed": ["crawler.feeds"],
    "dates": ["nlp.dates"],
    "extract": ["chipwatch.commands.extract", "nlp.pipeline"],
}
# Longest input libFuzzer makes; longer seeds are cut. Huge inputs are the memory tests' job.
MAX_LEN = {"html": 65536, "feed": 65536, "dates": 4096, "extract": 16384}
DEFAULTS = {
    "-timeout": "20",  # seconds per input: past it libFuzzer saves it as timeout-* and stops
    "-rss_limit_mb": "3072",  # past it: oom-*
}


def libfuzzer_args(target: str, argv: list[str], scratch: Path) -> list[str]:
    corpus = HERE / "corpus" / target
    corpus.mkdir(parents=True, exist_ok=True)
    flags = [a for a in argv if a.startswith("-")]
    dirs = [a for a in argv if not a.startswith("-")] or [str(scratch), str(corpus)]
    given = {a.split("=", 1)[0] for a in flags}
    extra = [f"{k}={v}" for k, v in DEFAULTS.items() if k not in given]
    if "-max_len" not in given:
        extra.append(f"-max_len={MAX_LEN[target]}")
    if "-artifact_prefix" not in given:
        extra.append(f"-artifact_prefix={corpus}/")
    if "-dict" not in given and (HERE / "dicts" / f"{target}.dict").exists():
        extra.append(f"-dict={HERE / 'dicts' / f'{target}.dict'}")
    if "-runs" not in given and "-max_total_time" not in given:
        extra.append("-max_total_time=60")
    return [*flags, *extra, *dirs]


def signature(exc: BaseException) -> str:
    """A failure's identity: its type and the innermost frame of project code under test."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [
        f
        for f in frames
        if f.filename.startswith(str(ROOT))
        and ".venv" not in f.filename
        and not f.filename.startswith(str(HERE))
    ]
    place = ours[-1] if ours else (frames[-1] if frames else None)
    where = f"{Path(place.filename).name}:{place.name}" if place else "?"
    detail = str(exc).split(":")[0][:60] if isinstance(exc, AssertionError) else ""
    return f"{type(exc).__name__}@{where}{' ' + detail if detail else ''}"


class Recorder:
    """Runs the check; saves the first input of each distinct failure and goes on."""

    def __init__(self, target: str, check: object, corpus: Path) -> None:
        self.target, self.check, self.corpus = target, check, corpus
        self.runs = 0
        self.failures: Counter[str] = Counter()
        self.known: set[str] = set()
        self.new: list[str] = []
        self.started = time.monotonic()

    def learn_known(self) -> None:
        """Signatures of the failures already in the corpus, so they are not saved again."""
        for path in sorted(self.corpus.iterdir()):
            if path.is_file() and not path.name.startswith("seed-"):
                try:
                    self.check(path.read_bytes())  # type: ignore[operator]
                except Exception as e:  # noqa: BLE001 - a known failure
                    self.known.add(signature(e))

    def __call__(self, data: bytes) -> None:
        self.runs += 1
        try:
            self.check(data)  # type: ignore[operator]
        except Exception as e:  # noqa: BLE001 - every escape is a finding
            sig = signature(e)
            self.failures[sig] += 1
            if sig in self.known:
                return
            self.known.add(sig)
            path = self.corpus / f"crash-{hashlib.sha1(data).hexdigest()}"
            path.write_bytes(data)
            self.new.append(sig)
            print(
                f"chipwatch-fuzz: NEW FAILURE {sig} -> {path}\n{traceback.format_exc()}",
                file=sys.stderr,
                flush=True,
            )

    def summary(self) -> None:
        seconds = time.monotonic() - self.started
        print(
            f"chipwatch-fuzz: target={self.target} runs={self.runs} seconds={seconds:.1f} "
            f"failures={sum(self.failures.values())} new_failures={len(self.new)} "
            f"distinct={len(self.failures)}",
            file=sys.stderr,
            flush=True,
        )
        for sig, n in self.failures.most_common():
            print(f"chipwatch-fuzz:   {n} x {sig}", file=sys.stderr, flush=True)


def main(target: str) -> None:
    import atheris

    sys.path.insert(0, str(ROOT))
    from tests.reliability import targets

    if target == "extract":
        targets.ensure_kb()
    with atheris.instrument_imports(include=["crawler", "nlp", "chipwatch"]):
        for module in MODULES[target]:
            importlib.import_module(module)
    corpus = HERE / "corpus" / target
    recorder = Recorder(target, targets.TARGETS[target], corpus)
    recorder.learn_known()
    # libFuzzer ends the process with C's exit(), which skips Python's atexit: register the
    # summary with C's atexit too (the callback holds a reference, so it must outlive main).
    hook = _c_atexit(recorder.summary)
    with tempfile.TemporaryDirectory(prefix=f"chipwatch-fuzz-{target}-") as scratch:
        argv = [sys.argv[0], *libfuzzer_args(target, sys.argv[1:], Path(scratch))]
        atheris.Setup(argv, recorder)
        atheris.Fuzz()
    del hook


_HOOKS: list[object] = []


def _c_atexit(func: Callable[[], None]) -> object:
    """Registers ``func`` with glibc's ``on_exit`` (``atexit`` itself is not an exported symbol)."""
    callback = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_void_p)(lambda status, arg: func())
    _HOOKS.append(callback)
    ctypes.CDLL(None).on_exit(callback, None)
    return callback

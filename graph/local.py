"""Runs chipwatch's own Neo4j: embedded Neo4j Community with Bolt on 127.0.0.1.

The launcher is the Maven project beside this file. ``start`` builds it when needed, starts the
JVM in its own session, records the pid and waits until Bolt answers; ``stop`` sends SIGTERM (the
launcher shuts the database down cleanly) and only kills after a grace period. A pid file that
names a dead process, or a process that is not our launcher, is stale and is replaced.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chipwatch.errors import ConfigError, DatabaseError
from chipwatch.settings import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

LAUNCHER_DIR = PROJECT_ROOT / "graph" / "neo4j-launcher"
JAR = LAUNCHER_DIR / "target" / "chipwatch-neo4j.jar"
READY_MARK = "BOLT READY"
STOP_GRACE_SECONDS = 60.0

# The JVM options Neo4j's own server start script uses (server.jvm.additional in neo4j.conf):
# Netty and the page cache need these packages opened on JDK 17.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
)


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def db_home(self) -> Path:
        return self.root / "db"

    @property
    def pid_file(self) -> Path:
        return self.root / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "launcher.log"

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    @property
    def lock_file(self) -> Path:
        return self.root / "start.lock"


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    uri: str
    home: Path
    stale_pid_file: bool = False


@dataclass(frozen=True)
class StartResult:
    pid: int
    uri: str
    seconds: float
    already_running: bool
    removed_stale_pid: bool = False


def paths(settings: Settings) -> Paths:
    return Paths(settings.neo4j_home)


def local_uri(settings: Settings) -> str:
    return f"bolt://{settings.neo4j.local_host}:{settings.neo4j.local_port}"


def read_password(settings: Settings) -> str:
    """The local server's password, generated once into a file only this user can read."""
    file = paths(settings).password_file
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; read theirs
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(24) + "\n")
    return file.read_text().strip()


def require_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ConfigError(
            "Java 17 or newer is needed to run the local Neo4j: install OpenJDK 17 "
            "(Debian/Ubuntu: apt-get install openjdk-17-jdk-headless), or set NEO4J_URI "
            "to a Neo4j server of your own"
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)', out)
    if match and int(match.group(1)) < 17:
        raise ConfigError(f"Java 17 or newer is needed for Neo4j 5.26; found: {out.splitlines()[0]}")
    return java


def launcher_is_current() -> bool:
    if not JAR.is_file() or not (JAR.parent / "lib").is_dir():
        return False
    sources = [LAUNCHER_DIR / "pom.xml", *(LAUNCHER_DIR / "src").rglob("*.java")]
    return JAR.stat().st_mtime >= max(p.stat().st_mtime for p in sources)


def build_launcher(*, force: bool = False) -> Path:
    """Builds the thin launcher jar and its lib/ folder with Maven, unless it is up to date."""
    if not force and launcher_is_current():
        return JAR
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ConfigError(
            "Maven is needed to build the local Neo4j launcher: install it (Debian/Ubuntu: "
            "apt-get install maven), or set NEO4J_URI to a Neo4j server of your own"
        )
    logger.info("building the Neo4j launcher with Maven (the first build downloads Neo4j)")
    proc = subprocess.run(
        [mvn, "-B", "-q", "package"], cwd=LAUNCHER_DIR, capture_output=True, text=True
    )
    if proc.returncode != 0 or not JAR.is_file():
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise DatabaseError(f"building the Neo4j launcher failed (mvn package):\n{tail}")
    return JAR


def _is_our_launcher(pid: int, p: Paths) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return JAR.name in cmdline and str(p.db_home) in cmdline


def _read_pid(p: Paths) -> int | None:
    try:
        return int(p.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def status(settings: Settings) -> Status:
    p = paths(settings)
    pid = _read_pid(p)
    running = pid is not None and _is_our_launcher(pid, p)
    stale = p.pid_file.exists() and not running
    return Status(running, pid if running else None, local_uri(settings), p.db_home, stale)


def _port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        return s.connect_ex((host, port)) == 0


@contextmanager
def _start_lock(p: Paths) -> Iterator[None]:
    # Two `db start`s at once must not launch two JVMs on one store.
    p.root.mkdir(parents=True, exist_ok=True)
    with open(p.lock_file, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def start(settings: Settings) -> StartResult:
    """Starts the local Neo4j, or finds the one already running; returns once Bolt answers."""
    if settings.neo4j.external:
        raise ConfigError("NEO4J_URI is set: chipwatch uses that server and starts none of its own")
    began = time.monotonic()
    p = paths(settings)
    with _start_lock(p):
        current = status(settings)
        if current.running and current.pid is not None:
            _wait_ready(settings, current.pid, log_offset=0, began=began)
            return StartResult(current.pid, current.uri, time.monotonic() - began, True)
        if current.stale_pid_file:
            logger.warning("removing stale pid file %s", p.pid_file)
            p.pid_file.unlink(missing_ok=True)
        pid = _spawn(settings, p)
        offset = p.log_file.stat().st_size if p.log_file.exists() else 0
        _wait_ready(settings, pid, log_offset=offset, began=began)
        return StartResult(
            pid, local_uri(settings), time.monotonic() - began, False, current.stale_pid_file
        )


def _spawn(settings: Settings, p: Paths) -> int:
    n = settings.neo4j
    java = require_java()
    jar = build_launcher()
    if _port_taken(n.local_host, n.local_port):
        raise DatabaseError(
            f"port {n.local_port} on {n.local_host} is taken by another program; set "
            "CHIPWATCH_NEO4J_PORT to a free port, or NEO4J_URI to use that server"
        )
    read_password(settings)
    cmd = [
        java, "-Xms256m", f"-Xmx{n.heap}", *JVM_FLAGS, "-jar", str(jar),
        "--home", str(p.db_home), "--host", n.local_host, "--port", str(n.local_port),
        "--password-file", str(p.password_file), "--pagecache", n.pagecache,
    ]  # fmt: skip
    with open(p.log_file, "a") as log:
        log.write(f"\n--- starting at {time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
        log.flush()
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=p.root, start_new_session=True,
        )  # fmt: skip
    p.pid_file.write_text(f"{proc.pid}\n")
    return proc.pid


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)  # reap our own child if it died
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _log_tail(p: Paths, offset: int, lines: int = 25) -> str:
    try:
        with open(p.log_file, errors="replace") as f:
            f.seek(offset)
            return "\n".join(f.read().splitlines()[-lines:])
    except OSError:
        return "(no launcher log)"


def _wait_ready(settings: Settings, pid: int, *, log_offset: int, began: float) -> None:
    from graph.connection import connect  # late import: connection imports this module

    p = paths(settings)
    deadline = began + settings.neo4j.start_timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            p.pid_file.unlink(missing_ok=True)
            raise DatabaseError(
                f"Neo4j exited during start; see {p.log_file}:\n{_log_tail(p, log_offset)}"
            )
        if READY_MARK in _log_tail(p, log_offset, lines=10_000):
            try:
                connect(settings).close()
                return
            except DatabaseError:
                pass  # Bolt is up but the database may still be coming online
        time.sleep(0.25)
    raise DatabaseError(
        f"Neo4j did not answer on {local_uri(settings)} within "
        f"{settings.neo4j.start_timeout:.0f} s; see {p.log_file}"
    )


def stop(settings: Settings, *, grace: float = STOP_GRACE_SECONDS) -> bool:
    """Stops the local Neo4j; returns False when it was not running."""
    p = paths(settings)
    current = status(settings)
    if not current.running or current.pid is None:
        p.pid_file.unlink(missing_ok=True)
        return False
    os.kill(current.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _alive(current.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(current.pid):
        logger.warning("Neo4j (pid %s) ignored SIGTERM for %.0f s; killing it", current.pid, grace)
        os.kill(current.pid, signal.SIGKILL)
    p.pid_file.unlink(missing_ok=True)
    return True

"""The project's own local Neo4j server: fetched through Maven, run with Java.

Neo4j Community's server jars are ordinary artifacts on Maven Central. ``neo4j/pom.xml``
pins them; resolving it fills the user's Maven repository and writes the server's class
path, and this module runs ``org.neo4j.server.CommunityEntryPoint`` on that class path,
bound to 127.0.0.1, with auth on and a generated password kept in a file only the user
can read. The server's home (config, data, logs, pid, password) is one folder, so
several servers (a test one, a demo one) run side by side on different ports.

The folder holds the club's data, so it and its subfolders are 0700, and the Java
processes run with the umask 077: what Neo4j writes (store files, transaction logs, the
logs, dumps) is readable by the user only.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graph.config import PROJECT_ROOT, LocalServerSettings
from graph.files import PRIVATE_UMASK, open_private, private_dir, write_private_text
from service.core.config import Settings

POM = PROJECT_ROOT / "neo4j" / "pom.xml"
CLASSPATH_FILE = PROJECT_ROOT / "neo4j" / "target" / "classpath.txt"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_ENTRY_POINT = "org.neo4j.server.startup.Neo4jAdminCommand"


class Neo4jServerError(RuntimeError):
    """The local server could not be fetched, started or stopped; the message says why."""


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    bolt_uri: str
    http_url: str
    home: Path
    message: str


def _java_major_version(java: str) -> int | None:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    # Java 8 and older report "1.8"
    return int(match.group(2)) if major == 1 and match.group(2) else major


def check_prerequisites() -> tuple[str, str]:
    """Return the paths of ``java`` (17 or newer) and ``mvn``, or say what to install."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    hint = (
        "Install a Java 17 JDK and Maven (Debian: apt-get install openjdk-17-jdk-headless maven), "
        "or point alumni-graph at an existing server with NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD."
    )
    if not java or not Path(java).exists():
        raise Neo4jServerError(f"Java was not found. {hint}")
    major = _java_major_version(java)
    if major is None or major < 17:
        raise Neo4jServerError(f"Neo4j 5 needs Java 17 or newer, found {major or 'unknown'}. {hint}")
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jServerError(f"Maven (mvn) was not found. {hint}")
    return java, mvn


def resolve_classpath(mvn: str | None = None, *, quiet: bool = True) -> list[str]:
    """Resolve ``neo4j/pom.xml`` through Maven and return the server's class path.

    Re-resolves only when the pom changed since the last resolution or a jar went missing.
    """
    fresh = CLASSPATH_FILE.exists() and CLASSPATH_FILE.stat().st_mtime >= POM.stat().st_mtime
    if fresh:
        entries = CLASSPATH_FILE.read_text(encoding="utf-8").strip().split(os.pathsep)
        if entries and all(Path(e).exists() for e in entries):
            return entries
    if mvn is None:
        _, mvn = check_prerequisites()
    cmd = [mvn, "-B", "-f", str(POM), "generate-resources"]
    if quiet:
        cmd.insert(1, "-q")
    result = subprocess.run(cmd, capture_output=quiet, text=True, check=False)
    if result.returncode != 0 or not CLASSPATH_FILE.exists():
        detail = (result.stdout or "")[-2000:] if quiet else ""
        raise Neo4jServerError("Maven could not fetch Neo4j (is Maven Central reachable?).\n" + detail)
    return CLASSPATH_FILE.read_text(encoding="utf-8").strip().split(os.pathsep)


def _port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still answers kill(0); read its state
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        with contextlib.suppress(OSError):
            return stat.read_text().split()[2] != "Z"
    return True


class LocalNeo4j:
    """One local Neo4j server, living in ``settings.home``."""

    def __init__(self, settings: LocalServerSettings | None = None) -> None:
        self.settings = settings or Settings().local_server()
        home = self.settings.home
        self.conf_dir = home / "conf"
        self.data_dir = home / "data"
        self.logs_dir = home / "logs"
        self.run_dir = home / "run"
        self.pid_file = self.run_dir / "neo4j.pid"

    # -- layout -----------------------------------------------------------------
    def _write_config(self) -> None:
        s = self.settings
        private_dir(s.home)  # also narrows a folder made before this rule
        for d in (
            self.conf_dir,
            self.data_dir,
            self.logs_dir,
            self.run_dir,
            s.home / "import",
            s.home / "plugins",
        ):
            private_dir(d)
        conf = f"""# Written by alumni-graph; edit ALUMNI_GRAPH_* variables instead of this file.
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:{s.bolt_port}
server.bolt.advertised_address=127.0.0.1:{s.bolt_port}
server.http.listen_address=127.0.0.1:{s.http_port}
server.http.advertised_address=127.0.0.1:{s.http_port}
server.https.enabled=false
dbms.security.auth_enabled=true
dbms.usage_report.enabled=false
server.memory.heap.initial_size={s.heap}
server.memory.heap.max_size={s.heap}
server.memory.pagecache.size={s.pagecache}
server.directories.data={self.data_dir}
server.directories.logs={self.logs_dir}
server.directories.run={self.run_dir}
server.directories.import={s.home / "import"}
server.directories.plugins={s.home / "plugins"}
db.tx_log.rotation.retention_policy=2 files
"""
        write_private_text(self.conf_dir / "neo4j.conf", conf)

    def _java_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NEO4J_HOME"] = str(self.settings.home)
        env["NEO4J_CONF"] = str(self.conf_dir)
        return env

    def _ensure_password(self, java: str, classpath: list[str]) -> str:
        pw_file = self.settings.password_file
        if pw_file.exists():
            return pw_file.read_text(encoding="utf-8").strip()
        if (self.data_dir / "databases").exists():
            raise Neo4jServerError(
                f"{self.data_dir} holds a database but {pw_file} is missing; "
                "remove the folder to start afresh, or restore the password file."
            )
        password = secrets.token_urlsafe(24)
        while password.startswith("-"):  # neo4j-admin would read it as an option (1 start in 64)
            password = secrets.token_urlsafe(24)
        result = subprocess.run(
            [
                java,
                "-cp",
                os.pathsep.join(classpath),
                ADMIN_ENTRY_POINT,
                "dbms",
                "set-initial-password",
                password,
            ],
            env=self._java_env(),
            capture_output=True,
            text=True,
            check=False,
            umask=PRIVATE_UMASK,
        )
        if result.returncode != 0:
            raise Neo4jServerError("could not set the initial password:\n" + result.stderr[-2000:])
        write_private_text(pw_file, password + "\n")
        return password

    # -- process ----------------------------------------------------------------
    def pid(self) -> int | None:
        """The pid of the server this folder started, if it is still that process."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if not _pid_alive(pid):
            return None
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists():
            args = cmdline.read_bytes().decode(errors="replace")
            if ENTRY_POINT not in args or str(self.settings.home) not in args:
                return None  # the pid was reused by another process
        return pid

    def status(self) -> ServerStatus:
        s = self.settings
        pid = self.pid()
        bolt = _port_open(s.bolt_port)
        if pid and bolt:
            message = f"running (pid {pid}) on {s.uri}, browser http://127.0.0.1:{s.http_port}/"
        elif pid:
            message = f"starting (pid {pid}); Bolt not answering yet on port {s.bolt_port}"
        elif bolt:
            message = f"port {s.bolt_port} is answering but not by a server started from {s.home}"
        else:
            message = "stopped"
        return ServerStatus(
            running=bool(pid and bolt),
            pid=pid,
            bolt_uri=s.uri,
            http_url=f"http://127.0.0.1:{s.http_port}/",
            home=s.home,
            message=message,
        )

    def start(self, timeout: float = 180.0) -> ServerStatus:
        """Start the server (idempotent) and wait until Bolt accepts an authenticated query."""
        s = self.settings
        if self.pid():
            self._wait_ready(timeout)
            return self.status()
        for port in (s.bolt_port, s.http_port):
            if _port_open(port):
                raise Neo4jServerError(
                    f"port {port} on 127.0.0.1 is taken by another process; choose other ports "
                    "with --bolt-port/--http-port or ALUMNI_GRAPH_BOLT_PORT/ALUMNI_GRAPH_HTTP_PORT"
                )
        java, mvn = check_prerequisites()
        classpath = resolve_classpath(mvn)
        self._write_config()
        self._ensure_password(java, classpath)
        cmd = [
            java,
            f"-Xms{s.heap}",
            f"-Xmx{s.heap}",
            "-XX:+UseG1GC",
            "-XX:-OmitStackTraceInFastThrow",
            "-XX:+ExitOnOutOfMemoryError",
            "-Dfile.encoding=UTF-8",
            "-cp",
            os.pathsep.join(classpath),
            ENTRY_POINT,
            f"--home-dir={s.home}",
            f"--config-dir={self.conf_dir}",
        ]
        with open_private(self.logs_dir / "console.log", "ab") as console:  # handed to the child
            proc = subprocess.Popen(
                cmd,
                stdout=console,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self._java_env(),
                start_new_session=True,
                cwd=s.home,
                umask=PRIVATE_UMASK,
            )
        write_private_text(self.pid_file, str(proc.pid))
        try:
            self._wait_ready(timeout, proc)
        except Neo4jServerError:
            self.stop()
            raise
        return self.status()

    def _wait_ready(self, timeout: float, proc: subprocess.Popen | None = None) -> None:
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        s = self.settings
        password = s.password_file.read_text(encoding="utf-8").strip()
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise Neo4jServerError(
                    f"Neo4j exited with code {proc.returncode}; see {self.logs_dir / 'console.log'} "
                    f"and {self.logs_dir / 'neo4j.log'}"
                )
            if _port_open(s.bolt_port):
                try:
                    with GraphDatabase.driver(s.uri, auth=("neo4j", password)) as driver:
                        driver.verify_connectivity()
                        driver.execute_query("RETURN 1")
                    return
                except AuthError as exc:
                    raise Neo4jServerError(
                        f"the server in {s.home} refused the password in {s.password_file}"
                    ) from exc
                except (ServiceUnavailable, OSError) as exc:
                    last_error = exc
                except Exception as exc:  # database still starting: DatabaseUnavailable etc.
                    last_error = exc
            time.sleep(0.5)
        raise Neo4jServerError(
            f"Neo4j did not answer on {s.uri} within {timeout:.0f} s ({last_error}); "
            f"see {self.logs_dir / 'neo4j.log'}"
        )

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server this folder started; another process on the port is left alone."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _pid_alive(pid):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.2)
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> bool:
        """SIGKILL the server, as a crash would (used by fault tests)."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGKILL)
        while _pid_alive(pid):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.05)
        self.pid_file.unlink(missing_ok=True)
        return True

    def admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``neo4j-admin`` with this server's configuration (dump, load, …)."""
        java, _ = check_prerequisites()
        classpath = resolve_classpath()
        self._write_config()
        return subprocess.run(
            [java, "-cp", os.pathsep.join(classpath), ADMIN_ENTRY_POINT, *args],
            env=self._java_env(),
            capture_output=True,
            text=True,
            check=False,
            umask=PRIVATE_UMASK,
        )

    def import_full(
        self, database: str, args: list[str], on_line: Callable[[str], None] | None = None
    ) -> str:
        """Run ``neo4j-admin database import full`` into ``database``, replacing it.

        The server must be stopped (Community imports only offline). ``args`` are the
        importer's options (``--nodes=…``, ``--relationships=…``); every output line is
        handed to ``on_line`` as it comes (a progress bar). Returns the output; raises
        :class:`Neo4jServerError` with its end when the import fails.
        """
        if self.pid() is not None:
            raise Neo4jServerError("the server is running; the import needs it stopped")
        java, _ = check_prerequisites()
        classpath = resolve_classpath()
        self._write_config()
        cmd = [
            java,
            "-cp",
            os.pathsep.join(classpath),
            ADMIN_ENTRY_POINT,
            "database",
            "import",
            "full",
            database,
            *args,
        ]
        lines: list[str] = []
        with subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self._java_env(),
            cwd=self.settings.home,
            text=True,
            umask=PRIVATE_UMASK,
        ) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if on_line is not None:
                    on_line(line)
        output = "".join(lines)
        if proc.returncode != 0:
            raise Neo4jServerError(
                f"neo4j-admin database import failed (exit {proc.returncode}):\n{output[-3000:]}"
            )
        return output

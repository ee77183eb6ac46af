#!/usr/bin/env python3
"""Set up and run Lindung with nothing but Python 3.11+.

    python3 dev.py run     # install into .venv, create the SQLite database, load the demo, serve the pages
    python3 dev.py test    # install into .venv, make sure PostgreSQL runs, then ruff, mypy, lint-imports, pytest

The virtual environment is built from requirements.lock (exact versions with hashes) and rebuilt
whenever that file changes. Only the standard library is used here, because nothing else exists yet.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".lock-sha256"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def say(text: str) -> None:
    print(f"[dev] {text}", flush=True)


def run(*args: str | Path, check: bool = True, env: dict[str, str] | None = None) -> int:
    return subprocess.run([str(a) for a in args], check=check, env=env).returncode


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("Lindung needs Python 3.11 or newer.")
    want = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text().strip() == want:
        return
    say("setting up .venv from requirements.lock (first run only)")
    if not PY.exists():
        run(sys.executable, "-m", "venv", VENV)
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes",
        "-r", LOCK)
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
        "--no-build-isolation", "-e", ROOT)
    STAMP.write_text(want)


def postgres_available() -> bool:
    """True when a server answers on 127.0.0.1:5432; starts an installed but stopped one."""
    probe = [str(PY), "-c", "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres "
             "dbname=postgres connect_timeout=3').close()"]
    ok = subprocess.run(probe, capture_output=True).returncode == 0
    if ok:
        return True
    clusters = Path("/etc/postgresql")
    if clusters.is_dir() and shutil.which("pg_ctlcluster"):
        for version in sorted(p.name for p in clusters.iterdir()):
            say(f"PostgreSQL {version} is installed but not answering: starting it")
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                           capture_output=True)
        for _ in range(20):
            if subprocess.run(probe, capture_output=True).returncode == 0:
                return True
            time.sleep(0.5)
    return False


def chromium_available(env: dict[str, str]) -> bool:
    """True when Debian's Chromium is there for the browser tests; installs the ``chromium`` package
    with apt-get when it is missing and can be installed (as root, or with sudo without a password)."""
    if env.get("LINDUNG_TEST_CHROMIUM") or shutil.which("chromium"):
        return True
    apt = shutil.which("apt-get")
    if apt is None:
        return False
    root = getattr(os, "geteuid", lambda: -1)() == 0
    prefix: list[str] = [] if root else (["sudo", "-n"] if shutil.which("sudo") else [])
    if not root and not prefix:
        return False
    say("installing Debian's chromium for the browser tests (apt-get, first run only)")
    quiet = {"DEBIAN_FRONTEND": "noninteractive", **os.environ}
    subprocess.run([*prefix, apt, "update", "-qq"], capture_output=True, env=quiet)
    subprocess.run([*prefix, apt, "install", "-y", "-qq", "chromium"], capture_output=True, env=quiet)
    return shutil.which("chromium") is not None


def cmd_run(extra: list[str]) -> int:
    ensure_venv()
    lindung = BIN / "lindung"
    run(lindung, "demo", "--serve", *extra)
    return 0


def cmd_test(extra: list[str]) -> int:
    ensure_venv()
    env = dict(os.environ)
    if "LINDUNG_TEST_POSTGRES_URL" not in env:
        if postgres_available():
            env["LINDUNG_TEST_POSTGRES_URL"] = PG_URL
        else:
            env["LINDUNG_TEST_POSTGRES_URL"] = ""
            say("NOTICE: no PostgreSQL server found on this machine: PostgreSQL tests will be SKIPPED")
    if not chromium_available(env):
        say("NOTICE: Chromium (Debian's chromium package) is missing and could not be installed: "
            "the browser tests will be SKIPPED")
    say("ruff")
    if run(BIN / "ruff", "check", "src", "tests", "bench", "dev.py", check=False, env=env):
        return 1
    say("mypy")
    if run(BIN / "mypy", check=False, env=env):
        return 1
    say("import-linter (the layers: rules < kit < domains < doors)")
    if run(BIN / "lint-imports", "--no-cache", check=False, env=env):
        return 1
    say("pytest")
    workers = ["-n", "2"] if "-n" not in extra else []
    return run(PY, "-m", "pytest", *workers, *extra, check=False, env=env)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test", "setup"}:
        print(__doc__)
        return 2
    command, extra = sys.argv[1], sys.argv[2:]
    if command == "setup":
        ensure_venv()
        return 0
    return cmd_run(extra) if command == "run" else cmd_test(extra)


if __name__ == "__main__":
    sys.exit(main())

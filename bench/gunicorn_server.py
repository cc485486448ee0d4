"""Run a WSGI app under gunicorn on a free local port (for the load benchmark and the concurrency tests)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import psutil
import requests

REPO = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"Listening at: (http://\S+)")


class GunicornServer:
    """`gunicorn -w N --threads 1 <target>` in a subprocess; a context manager that always stops it.

    Binds port 0 so the kernel picks a free port (no race with other test runs),
    and reads the real address from gunicorn's log.
    """

    def __init__(
        self, target: str, env: Mapping[str, str], log_path: Path, *, workers: int = 4, ready_path: str = "/"
    ) -> None:
        self.target = target
        self.env = dict(env)
        self.log_path = log_path
        self.workers_wanted = workers
        self.ready_path = ready_path
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> GunicornServer:
        self.start()
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _traceback: TracebackType | None
    ) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> None:
        command = [sys.executable, "-m", "gunicorn", "-w", str(self.workers_wanted), "--threads", "1"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [*command, "-b", "127.0.0.1:0", self.target], cwd=REPO, env=self.env, stdout=log, stderr=log
            )
        try:
            self._wait_until_serving(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_serving(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            match = LISTENING.search(self.log())
            if match and len(self.workers()) == self.workers_wanted:
                self.url = match.group(1)
                try:
                    if requests.get(self.url + self.ready_path, timeout=10).status_code == 200:
                        return
                except requests.RequestException:  # workers still booting
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not serve {self.ready_path} within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def workers(self) -> list[psutil.Process]:
        assert self.process is not None
        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def busy_worker(self, timeout: float = 5.0) -> psutil.Process:
        """A worker with a client's connection open, i.e. in the middle of a request."""
        return self._worker_with(lambda c: c.status == psutil.CONN_ESTABLISHED, "was serving a request", timeout)

    def worker_serving(self, client_port: int, timeout: float = 5.0) -> psutil.Process:
        """The worker holding the connection that a client opened from local port `client_port`."""
        return self._worker_with(
            lambda c: bool(c.raddr) and c.raddr.port == client_port, f"holds the connection from {client_port}", timeout
        )

    def _worker_with(self, wanted: Callable[[Any], bool], what: str, timeout: float) -> psutil.Process:
        """The first worker with a connection on the server's port that `wanted` accepts."""
        port = int(self.url.rsplit(":", 1)[1])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for worker in self.workers():
                try:
                    connections = worker.net_connections(kind="tcp")
                except psutil.NoSuchProcess:
                    continue
                if any(c.laddr.port == port and wanted(c) for c in connections):
                    return worker
            time.sleep(0.002)
        raise RuntimeError(f"no gunicorn worker {what}")

    def stop(self) -> None:
        """Stop the master (and so its workers); kill whatever does not stop in time."""
        if self.process is None:
            return
        workers = self.workers() if self.process.poll() is None else []
        # SIGINT is gunicorn's quick shutdown: nothing is left to finish gracefully.
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        for worker in workers:  # normally gone with the master; never leave one behind
            if worker.is_running():
                worker.kill()

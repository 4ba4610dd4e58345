"""A small process supervisor for `anwei run` and `anwei worker`: starts children, stops them all on Ctrl-C or
SIGTERM, and stops the rest when one dies."""

import signal
import subprocess
import sys
import time
from typing import Any


def manage(*args: str) -> list[str]:
    return [sys.executable, "-m", "anwei", *args]


class Supervisor:
    def __init__(self, commands: dict[str, list[str]], out: Any) -> None:
        self.commands = commands
        self.out = out
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = False

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        for name, argv in self.commands.items():
            self.children[name] = subprocess.Popen(argv)  # noqa: S603 - our own commands
        code = 0
        try:
            while not self.stopping:
                for name, child in self.children.items():
                    if child.poll() is not None:
                        self.out.write(f"{name} exited with code {child.returncode}; stopping.")
                        code = child.returncode or 1
                        self.stopping = True
                        break
                time.sleep(0.3)
        finally:
            self.shutdown()
        return code

    def shutdown(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.out.write("Stopped.")

"""Run the benchmarks and write docs/benchmarks.md: machine facts, date, commit, each figure with its method."""

import importlib
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import Figure

ROOT = Path(__file__).resolve().parent.parent


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
    return [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Commit: {commit.strip() or 'unknown'}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores ({cpu}), {int(mem) // 1024} MiB",
        f"- Python {platform.python_version()}, {platform.system()} {platform.release()}",
    ]


HISTORY = "<!-- Written by hand from here on: `make bench` keeps this part as it is. -->"


def kept_history(out: Path) -> str:
    """The dated, hand-written history below the HISTORY marker (earlier measurements, profiles, before and after
    of past changes): kept as it is when the figures above are written again. Nothing in it comes from this run."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    at = text.find(HISTORY)
    return "\n" + text[at:] if at >= 0 else ""


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in (ROOT / "bench").glob("p[0-9]*.py"))
    figures: list[Figure] = []
    for name in names:
        print(f"bench {name} …", flush=True)
        figures.extend(importlib.import_module(f"bench.{name}").run())
    head = "Written by `make bench`, every figure measured in this run; do not edit by hand above the history."
    lines = ["# Benchmarks", "", head, "", *machine()]
    reduced = sorted(f"`{k}={v}`" for k, v in os.environ.items() if k.startswith("BENCH_"))
    if reduced:
        lines.append(f"- Sizes changed from the defaults (the issue's sizes) by the environment: {', '.join(reduced)}")
    lines.append("")
    lines += ["| | figure | value | goal | met |", "|---|---|---|---|---|"]
    lines += [
        f"| {f.key} | {f.name} | {f.value:,.2f} {f.unit} | {f.goal} | {'yes' if f.met else 'NO'} |" for f in figures
    ]
    lines += ["", "## Methods", ""]
    lines += [f"- **{f.key} {f.name}**: {f.method}" for f in figures]
    out = ROOT / "docs" / "benchmarks.md"
    out.write_text("\n".join(lines) + "\n" + kept_history(out), encoding="utf-8")
    print(out.read_text())
    return 0 if all(f.met for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Anwei's benchmarks: `make bench` runs every `bench/p*.py` module and writes docs/benchmarks.md."""

from dataclasses import dataclass


@dataclass
class Figure:
    key: str  # e.g. "P4"
    name: str
    value: float
    unit: str
    goal: str
    met: bool
    method: str

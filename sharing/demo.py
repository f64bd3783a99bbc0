"""Demo data of energy sharing (filled in below)."""

from typing import Any


def load_demo(context: Any) -> None:
    return None

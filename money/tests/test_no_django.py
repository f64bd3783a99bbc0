"""The pure modules import no Django: each is imported in a fresh interpreter without Django
settings, and Django must not be among the loaded modules afterwards.

The modules are found by walking the packages of PURE_PACKAGES, so a new module is checked as
soon as it exists; a programme app with pure rules adds its package (e.g. "jobs.pure") here."""

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_PACKAGES = ["money", "rentals.pure", "sharing.pure", "impact.pure", "practices.pure"]
# Pure modules that sit flat in their app.
PURE_MODULES = ["jobs.planning", "jobs.rules", "jobs.geo", "jobs.references", "jobs.charts"]


def pure_modules() -> list[str]:
    names = list(PURE_MODULES)
    for name in PURE_PACKAGES:
        package = importlib.import_module(name)
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            if ".tests" not in info.name:
                names.append(info.name)
    return names


def test_the_walk_finds_the_pure_modules():
    found = set(pure_modules())
    assert {
        "money.references",
        "money.proration",
        "money.bankfiles",
        "money.sepa",
        "rentals.pure.savings",
        "rentals.pure.charts",
    } <= found


@pytest.mark.parametrize("module", pure_modules())
def test_imports_without_django(module):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import importlib, sys\n"
        "assert not any(m.split('.')[0] == 'django' for m in sys.modules), 'django before'\n"
        f"importlib.import_module({module!r})\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "print(' '.join(loaded[:5]))\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{module} imports Django: {result.stdout}{result.stderr}"

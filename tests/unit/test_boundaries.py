"""The engine stands alone: importing any of it never pulls in Flask."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
import engine
for module in pkgutil.iter_modules(engine.__path__):
    importlib.import_module(f"engine.{module.name}")
leaked = sorted(name for name in sys.modules if name.split(".")[0] in ("flask", "flask_smorest", "werkzeug"))
assert not leaked, leaked
"""


def test_importing_the_engine_package_does_not_import_flask():
    result = subprocess.run([sys.executable, "-c", "import engine, sys; assert 'flask' not in sys.modules"],
                            cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr


def test_no_engine_module_imports_flask_or_werkzeug():
    result = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], cwd=ROOT, capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr

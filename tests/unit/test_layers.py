"""The layers of the house are checked by a tool (import-linter, in `make lint`): a planted
import of a domain's handlers into the web layer fails the check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run the checker on a copy of the package: the editable install's finder is dropped so that
# `portal` is the copy.
CHECK = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path.insert(0, sys.argv[1])
import portal
assert portal.__file__.startswith(sys.argv[1]), portal.__file__
from importlinter.cli import lint_imports_command
sys.argv = ["lint-imports", "--no-cache"]
sys.exit(lint_imports_command())
"""


def lint_copy(tmp_path: Path, planted: str | None) -> subprocess.CompletedProcess[str]:
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "portal", copy / "portal", ignore=shutil.ignore_patterns("__pycache__"))
    if planted:
        with (copy / "portal" / "web" / "forms.py").open("a") as module:
            module.write(f"\n{planted}  # noqa\n")
    return subprocess.run(
        [sys.executable, "-c", CHECK, str(copy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_layers_hold_and_a_planted_violation_fails_the_check(tmp_path: Path) -> None:
    clean = lint_copy(tmp_path / "clean", None)
    assert clean.returncode == 0, clean.stdout
    planted = lint_copy(tmp_path / "planted", "from portal.plan import routes as planted")
    assert planted.returncode == 1
    assert "web/ is the cross-cutting HTTP layer: it imports no domain BROKEN" in planted.stdout
    assert "portal.web.forms -> portal.plan.routes" in planted.stdout

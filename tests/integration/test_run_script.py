"""scripts/run.sh adds the demo users through ``govflow user add``: their tokens file holds a line only for a
user that was added, and a failed add stops the start with a message instead of writing an empty token."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _demo_user(tmp_path: Path, govflow: str, *args: str) -> subprocess.CompletedProcess[str]:
    """run.sh's own demo_user function, run with ``govflow`` standing in for the CLI."""
    function = re.search(r"^demo_user\(\) \{.*?^\}\n", (ROOT / "scripts" / "run.sh").read_text(),
                         re.MULTILINE | re.DOTALL)
    assert function, "run.sh defines demo_user"
    fake = tmp_path / "govflow"
    fake.write_text(f"#!/usr/bin/env bash\n{govflow}\n")
    fake.chmod(0o755)
    script = (f"set -euo pipefail\ngf={fake}\ntokens={tmp_path / 'tokens.txt'}\nexisting_users='analyst'\n"
              f"{function.group(0)}\ndemo_user {' '.join(args)}\necho started")
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)


def test_an_added_demo_user_s_token_is_written(tmp_path: Path) -> None:
    done = _demo_user(tmp_path, 'echo "token-of-$3"', "window", "--group", "window", "--role", "clerk")
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "started"
    assert (tmp_path / "tokens.txt").read_text() == "window token-of-window\n"


def test_an_existing_demo_user_is_left_alone(tmp_path: Path) -> None:
    done = _demo_user(tmp_path, "exit 3", "analyst", "--role", "analyst")
    assert done.returncode == 0 and not (tmp_path / "tokens.txt").exists()


def test_a_failed_add_writes_no_token_and_stops_the_start(tmp_path: Path) -> None:
    done = _demo_user(tmp_path, 'echo "ImportError: cannot import name" >&2; exit 1', "review", "--role", "clerk")
    assert done.returncode != 0 and "started" not in done.stdout
    assert "demo user review not added" in done.stderr
    assert not (tmp_path / "tokens.txt").exists() or (tmp_path / "tokens.txt").read_text() == ""

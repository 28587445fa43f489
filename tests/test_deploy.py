"""deploy/: the systemd unit is valid and hardened, the Dockerfile and Litestream config fit."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import storage
from bot.config import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNIT = DEPLOY / "backchannel.service"
EXEC = "/opt/backchannel/.venv/bin/backchannel"


def _directives(text: str) -> list[tuple[str, str]]:
    lines = [line.strip() for line in text.splitlines()]
    pairs = [line.split("=", 1) for line in lines if "=" in line and not line.startswith("#")]
    return [(key, value) for key, value in pairs]


def test_unit_is_hardened_and_restarts() -> None:
    directives = _directives(UNIT.read_text())
    found = dict(directives)
    assert found["User"] == "backchannel" and found["Group"] == "backchannel"
    assert found["ProtectSystem"] == "strict"
    assert [value for key, value in directives if key == "ReadWritePaths"] == [
        "/opt/backchannel/data"
    ]
    assert found["NoNewPrivileges"] == found["PrivateTmp"] == "yes"
    assert found["Restart"] == "on-failure" and int(found["RestartSec"]) > 0
    assert found["EnvironmentFile"] == "/opt/backchannel/.env"
    assert found["ExecStart"] == f"{EXEC} run"


@pytest.mark.subprocess
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip(
            "systemd-analyze is not installed here (Debian/Ubuntu: apt-get install systemd)"
        )
    # verify checks that ExecStart's program exists: point it at one that does, nothing else.
    program = shutil.which("true")
    assert program is not None
    text = UNIT.read_text()
    assert text.count(EXEC) == 1
    unit = tmp_path / "backchannel.service"
    unit.write_text(text.replace(EXEC, program))
    result = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    # Unknown keys and bad values are only warnings (exit code 0): any line about the unit fails.
    problems = [line for line in result.stderr.splitlines() if unit.name in line]
    assert result.returncode == 0 and problems == [], result.stderr


def test_dockerfile_runs_the_bot_as_a_user_with_a_data_volume() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in text.splitlines() if line and line[0].isupper()]
    found = {word: rest for word, rest in instructions}
    assert found["FROM"] == "python:3.12-slim"
    assert found["USER"].split(":")[0] == "backchannel"
    assert found["VOLUME"] == '["/app/data"]' and found["WORKDIR"] == "/app"
    assert found["CMD"] == '["backchannel", "run"]'
    # The volume is where the default DATABASE_PATH (relative to WORKDIR) puts the database.
    default = Settings.model_fields["database_path"].default
    assert Path("/app") / default == Path("/app/data/backchannel.db")
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert ignored[1] == "*" and "!.env" not in ignored


def test_litestream_replicates_the_database_the_unit_writes() -> None:
    config = yaml.safe_load((DEPLOY / "litestream.yml").read_text())
    (db,) = config["dbs"]
    assert Path(db["path"]).parent == Path("/opt/backchannel/data")
    assert db["replicas"][0]["url"].startswith("s3://")
    assert re.fullmatch(r"\d+[smh]", db["replicas"][0]["sync-interval"])


def test_database_is_in_wal_mode_without_checkpoints_of_its_own(tmp_path: Path) -> None:
    # What the Litestream config relies on: WAL, a 5 s busy timeout, automatic checkpoints only.
    db = storage.open_database(tmp_path / "bot.db")
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA busy_timeout").fetchone() == (5000,)
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,)
    db.close()
    code = Path(storage.__file__).parent
    assert not [f.name for f in code.glob("*.py") if "wal_checkpoint" in f.read_text()]

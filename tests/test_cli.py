"""The command line: --help without loading the application behind it, refusals in one line."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from event_store.kafka_relay import DEFAULT_TOPIC
from letopis.cli import app

ROOT = Path(__file__).resolve().parents[1]

HEAVY = ("fastapi", "eventsourcing", "psycopg", "kafka", "duckdb")

ASKING_FOR_HELP = """
import json, sys
from letopis.cli import app
shown = []
for arguments in (["--help"], ["users", "create", "--help"], ["relay", "run", "--help"]):
    try:
        app(arguments)
    except SystemExit as finished:
        shown.append(finished.code)
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print(json.dumps({"exit_codes": shown, "loaded": loaded}))
"""


def test_help_loads_neither_the_web_framework_nor_the_database_drivers() -> None:
    """Importing them is what made ``crm --help`` take seconds; a fresh interpreter shows
    which modules ``--help`` needed."""
    finished = subprocess.run(
        [sys.executable, "-c", ASKING_FOR_HELP, *HEAVY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    report = json.loads(finished.stdout.splitlines()[-1])
    assert report["exit_codes"] == [0, 0, 0]
    assert report["loaded"] == []
    assert "users" in finished.stdout
    assert "manager" in finished.stdout
    assert DEFAULT_TOPIC in finished.stdout


def test_a_value_the_domain_refuses_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LETOPIS_DATABASE_URL", "memory://")
    result = CliRunner().invoke(app, ["users", "create", "Иванов Иван", "--role", "manager"])
    assert result.exit_code == 2
    assert result.output.splitlines() == ["team: a manager belongs to a team"]

"""crm audit: the hash chain checked from the console, against an anchor kept elsewhere."""

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from letopis.cli import app
from letopis.settings import Settings


def crm(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments))
    return result.exit_code, result.output


def test_verify_reports_a_whole_chain_then_an_edit(console_store: Settings, tmp_path: Path) -> None:
    assert crm("users", "create", "Петрова Анна", "--role", "auditor")[0] == 0
    anchor = tmp_path / "anchor.json"
    assert crm("audit", "anchor", "--output", str(anchor))[0] == 0
    kept = json.loads(anchor.read_text(encoding="utf-8"))
    assert kept["position"] >= 1
    status, output = crm("audit", "verify", "--anchor", str(anchor))
    assert status == 0, output
    assert f"whole up to log position {kept['position']}" in output

    with sqlite3.connect(tmp_path / "events.sqlite") as connection:
        connection.execute(
            "UPDATE stored_events SET state = "
            "CAST(replace(CAST(state AS TEXT), 'Петрова', 'Сидорова') AS BLOB) WHERE rowid = 1"
        )
    status, output = crm("audit", "verify")
    assert status == 1
    assert "Log position 1: edited" in output


def test_an_unreadable_anchor_is_refused(console_store: Settings, tmp_path: Path) -> None:
    anchor = tmp_path / "anchor.json"
    anchor.write_text('{"position": "пять"}', encoding="utf-8")
    status, output = crm("audit", "verify", "--anchor", str(anchor))
    assert status == 2
    assert "not an anchor" in output

"""crm projections: rebuilding views by name and seeing where each stands."""

from typer.testing import CliRunner

from letopis.cli import app
from letopis.settings import Settings
from letopis.wiring import all_projections


def crm(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments))
    return result.exit_code, result.output


def test_named_views_are_rebuilt_and_status_shows_every_view_running(console_store: Settings) -> None:
    assert crm("users", "create", "Иванова Анна", "--role", "admin")[0] == 0

    code, output = crm("projections", "rebuild", "employee_directory", "counterparty_register")
    assert code == 0, output
    assert "Rebuilt 2 view(s)" in output

    code, output = crm("projections", "status")
    assert code == 0, output
    rows = [line for line in output.splitlines() if any(p.name in line for p in all_projections())]
    assert len(rows) == len(all_projections())
    assert all("running" in row for row in rows)


def test_an_unknown_view_is_refused_before_anything_is_rebuilt(console_store: Settings) -> None:
    code, output = crm("projections", "rebuild", "employee_directory", "sales_forecast")
    assert code == 2
    assert "no view 'sales_forecast'" in output
    assert "Rebuilt" not in output

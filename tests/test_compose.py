"""compose.yaml and the Dockerfile, checked statically against the code they deploy.

No container engine runs the tests, so these checks catch what would otherwise surface only
at ``docker compose up``: a misspelt setting, a command ``crm`` does not have, a database URL
that does not match the database, a broker that is not in KRaft mode.
"""

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from letopis.cli import app
from letopis.settings import Settings
from letopis.wiring import build
from read_api.app import create_app

ROOT = Path(__file__).resolve().parent.parent
LETOPIS_SERVICES = ["api", "projections", "relay"]


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    found: dict[str, Any] = compose["services"]
    return found


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_exec_form(keyword: str) -> list[str]:
    """The last ``keyword`` instruction, which must use the exec (JSON) form so that
    ``crm`` is process 1 and receives the stop signal itself."""
    arguments = [args for name, args in dockerfile_instructions() if name == keyword]
    assert arguments, f"the Dockerfile has no {keyword}"
    parsed = json.loads(arguments[-1])
    assert isinstance(parsed, list), f"{keyword} must use the exec form"
    return [str(part) for part in parsed]


def as_arguments(value: str | list[str]) -> list[str]:
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def effective_command(service: dict[str, Any]) -> list[str]:
    """What the container runs: compose's entrypoint/command override the image's."""
    entrypoint = service.get("entrypoint", dockerfile_exec_form("ENTRYPOINT"))
    command = service.get("command", dockerfile_exec_form("CMD"))
    return as_arguments(entrypoint) + as_arguments(command)


def environment(service: dict[str, Any]) -> dict[str, str]:
    """Compose accepts a mapping or a list of NAME=value."""
    declared = service.get("environment", {})
    if isinstance(declared, list):
        return dict(item.partition("=")[::2] for item in declared)
    return {name: str(value) for name, value in declared.items()}


def dependencies(service: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Compose accepts a list of names or a mapping of name to condition."""
    declared = service.get("depends_on", {})
    if isinstance(declared, list):
        return {name: {} for name in declared}
    return {name: dict(condition or {}) for name, condition in declared.items()}


def assert_is_crm_command(arguments: list[str]) -> None:
    assert arguments[0] == "crm", f"{shlex.join(arguments)} does not run crm"
    result = CliRunner().invoke(app, [*arguments[1:], "--help"])
    assert result.exit_code == 0, f"{shlex.join(arguments)} is not a crm command:\n{result.output}"


def test_the_stack_has_the_database_the_broker_the_api_and_the_projection_worker(services):
    assert {"postgres", "kafka", "api", "projections"} <= services.keys()


def test_the_views_are_kept_current_by_their_own_service_and_not_by_the_api(services):
    assert effective_command(services["projections"])[1:] == ["projections", "run"]
    api = environment(services["api"])
    with pytest.MonkeyPatch.context() as patch:
        for key, value in api.items():
            patch.setenv(key, value)
        assert Settings(_env_file=None).projection_worker is False


@pytest.mark.parametrize("name", LETOPIS_SERVICES)
def test_every_letopis_variable_is_a_setting_and_its_value_is_valid(
    name, services, monkeypatch: pytest.MonkeyPatch
):
    prefix = Settings.model_config.get("env_prefix", "")
    known = {f"{prefix}{field}".upper() for field in Settings.model_fields}
    variables = {key: value for key, value in environment(services[name]).items() if key.startswith(prefix)}

    assert variables, f"{name} sets no {prefix}* variable"
    assert variables.keys() <= known, f"{name} sets unknown settings {sorted(variables.keys() - known)}"
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    Settings(_env_file=None)  # raises if a value has the wrong type


@pytest.mark.parametrize("name", LETOPIS_SERVICES)
def test_the_database_url_names_the_postgres_service_and_its_credentials(name, services):
    database = environment(services["postgres"])
    url = urlparse(environment(services[name])["LETOPIS_DATABASE_URL"])

    assert url.scheme in ("postgresql", "postgres")
    assert (url.hostname, url.port or 5432) == ("postgres", 5432)
    assert url.username == database["POSTGRES_USER"]
    assert url.password == database["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == database["POSTGRES_DB"]


@pytest.mark.parametrize("name", LETOPIS_SERVICES)
def test_the_kafka_servers_are_the_brokers_advertised_listener(name, services):
    kafka = environment(services["kafka"])
    advertised = {urlparse(listener).netloc for listener in kafka["KAFKA_ADVERTISED_LISTENERS"].split(",")}
    servers = environment(services[name])["LETOPIS_KAFKA_BOOTSTRAP_SERVERS"].split(",")

    assert set(servers) <= advertised


def test_kafka_runs_in_kraft_mode_as_its_own_controller(services):
    kafka = environment(services["kafka"])
    roles = {role.strip() for role in kafka["KAFKA_PROCESS_ROLES"].split(",")}
    voters = kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")
    listener_names = {listener.split("://")[0] for listener in kafka["KAFKA_LISTENERS"].split(",")}

    assert {"broker", "controller"} <= roles
    assert any(voter.startswith(f"{kafka['KAFKA_NODE_ID']}@kafka:") for voter in voters)
    assert set(kafka["KAFKA_CONTROLLER_LISTENER_NAMES"].split(",")) <= listener_names
    assert "KAFKA_ZOOKEEPER_CONNECT" not in kafka
    assert kafka.get("CLUSTER_ID"), "KRaft needs a cluster id to format its log directory"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("api", "crm serve"), ("projections", "crm projections run"), ("relay", "crm relay run")],
)
def test_each_service_runs_a_real_crm_command(name, expected, services):
    command = effective_command(services[name])

    assert command == shlex.split(expected)
    assert_is_crm_command(command)


def test_the_image_runs_crm_and_serves_by_default():
    assert dockerfile_exec_form("ENTRYPOINT") == ["crm"]
    assert_is_crm_command(dockerfile_exec_form("ENTRYPOINT") + dockerfile_exec_form("CMD"))
    assert dockerfile_exec_form("CMD") == ["serve"]


def test_the_image_runs_as_an_unprivileged_user_with_data_in_a_volume():
    instructions = dockerfile_instructions()
    users = [arguments for name, arguments in instructions if name == "USER"]
    volumes = [arguments for name, arguments in instructions if name == "VOLUME"]

    assert users, "the image runs as root"
    assert users[-1] not in ("root", "0")
    assert any("/data" in volume for volume in volumes)


def test_the_image_copies_every_package_it_installs():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    top_level = {package.split(".")[0] for package in pyproject["tool"]["setuptools"]["packages"]}
    copied = {
        Path(arguments.split()[0]).name for name, arguments in dockerfile_instructions() if name == "COPY"
    }

    assert top_level <= copied, f"the image misses {sorted(top_level - copied)}"


def test_every_package_of_the_source_tree_is_installed():
    """pip install . (the image's install) takes only the packages pyproject.toml lists."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    top_level = {package.split(".")[0] for package in listed}
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for folder in top_level
        for init in (ROOT / folder).rglob("__init__.py")
    }

    assert on_disk <= listed, f"pyproject.toml misses {sorted(on_disk - listed)}"


def test_the_api_healthcheck_asks_a_route_that_needs_no_token(services):
    (url,) = re.findall(r"http://[^'\"]+", " ".join(as_arguments(services["api"]["healthcheck"]["test"])))
    path = urlparse(url).path
    throwaway = build(Settings(database_url="memory://"))
    try:
        with TestClient(create_app(throwaway)) as client:
            assert client.get(path).status_code == 200
    finally:
        throwaway.close()


def test_services_wait_only_for_services_that_report_health(services):
    for name, service in services.items():
        for dependency, condition in dependencies(service).items():
            assert dependency in services, f"{name} depends on a missing service {dependency}"
            if condition.get("condition") == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"


def test_the_api_waits_for_a_healthy_database(services):
    assert dependencies(services["api"])["postgres"].get("condition") == "service_healthy"

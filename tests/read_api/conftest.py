"""An HTTP client over the real app, on each of the three stores."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from aggregates.scope import Actor
from letopis.wiring import Letopis
from read_api.app import create_app
from tests.read_api.calendar_client import CalendarApi


@pytest.fixture
def client(letopis: Letopis) -> Iterator[TestClient]:
    with TestClient(create_app(letopis)) as test_client:
        yield test_client


@pytest.fixture
def auth(staff: dict[str, tuple[Actor, str]]) -> Callable[[str], dict[str, str]]:
    """Headers that authenticate as one of the staff fixture's people."""

    def headers(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {staff[who][1]}"}

    return headers


@pytest.fixture
def unchanged_log(letopis: Letopis) -> Iterator[None]:
    """Asserts, after the test body, that nothing was appended to the log."""
    head = letopis.store.head()
    yield
    assert letopis.store.head() == head


@pytest.fixture
def calendar_api(client: TestClient, auth: Callable[[str], dict[str, str]], letopis: Letopis) -> CalendarApi:
    return CalendarApi(client, auth, letopis)

"""Reading the calendar as its users do, once the views reflect every write made so far:
a list, and a feed a calendar client fetches with no bearer token."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from icalendar import Calendar, Event

from letopis.wiring import Letopis
from tests.read_api.world import Api, days


@dataclass
class CalendarApi(Api):
    letopis: Letopis

    def settle(self) -> None:
        self.letopis.runner.wait_until(self.letopis.store.head())

    def read(self, who: str, path: str, **params: Any) -> Any:
        self.settle()
        return super().read(who, path, **params)

    def calendar(self, who: str, first: int = -30, last: int = 90, **params: Any) -> list[dict[str, Any]]:
        return list(self.read(who, "/calendar", **{"from": days(first), "to": days(last), **params}))

    def me(self, who: str) -> str:
        return str(self.read(who, "/employees/me")["id"])

    def subscribe(self, who: str, name: str = "Телефон") -> dict[str, Any]:
        return self.write(who, "post", f"/employees/{self.me(who)}/calendar-feeds", {"name": name})

    def feeds(self, who: str) -> list[dict[str, Any]]:
        return list(self.read(who, f"/employees/{self.me(who)}/calendar-feeds"))

    def feed(self, url: str) -> Calendar:
        self.settle()
        response = self.client.get(urlparse(url).path)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/calendar")
        return Calendar.from_ical(response.content)

    def feed_events(self, url: str) -> dict[str, Event]:
        return {event.uid: event for event in self.feed(url).events}

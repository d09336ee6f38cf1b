"""A ready analysis: a named query whose parameters are a typed model, run within the
reader's scope. Adding one is one ``Analysis`` in one of this package's modules."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from aggregates.errors import InvalidValue, NotFound
from aggregates.scope import Reach
from analytics.sql import AnalyticsDatabase, QueryResult


class Parameters(BaseModel):
    """Base of every analysis's parameters: a name it does not know is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Analysis:
    name: str
    title: str
    description: str
    parameters: type[Parameters]
    sql: str
    """Refers to each parameter as ``$name``."""
    defaults: str = ""
    """A query answering one row whose columns give the parameters left empty their values
    (asked first, within the same scope), for a default that depends on the data."""

    def validated(self, raw: Mapping[str, Any]) -> Parameters:
        try:
            return self.parameters.model_validate(dict(raw))
        except ValidationError as invalid:
            first = invalid.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "parameters"
            message = "unknown parameter" if first["type"] == "extra_forbidden" else first["msg"]
            raise InvalidValue(field, f"{self.name}: {message}", location="query") from None

    def run(self, database: AnalyticsDatabase, parameters: Parameters, reach: Reach) -> QueryResult:
        given = parameters.model_dump()
        if self.defaults and None in given.values():
            found = database.run(self.defaults, _used(self.defaults, given), reach)
            for (name, _type), value in zip(found.columns, found.rows[0], strict=True):
                given[name] = value if given.get(name) is None else given[name]
        return database.run(self.sql, _used(self.sql, given), reach)


def _used(sql: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if f"${name}" in sql}


def find(analyses: Mapping[str, Analysis], name: str) -> Analysis:
    found = analyses.get(name)
    if found is None:
        raise NotFound(f"there is no analysis {name!r}; known: {', '.join(sorted(analyses))}")
    return found

"""Every kind of fact the domain records: each event class of every aggregate module.

A view that indexes all events alike (who did what, when) takes them from here, so that an
aggregate added later is covered without being listed anywhere."""

import importlib
import pkgutil
import sys
from typing import Any

import aggregates
from aggregates.stamp import Fact


def every_fact() -> list[type[Fact]]:
    for module in pkgutil.iter_modules(aggregates.__path__):
        importlib.import_module(f"{aggregates.__name__}.{module.name}")
    found: list[type[Fact]] = []
    pending = list(Fact.__subclasses__())
    while pending:
        kind = pending.pop()
        if kind not in found:
            pending.extend(kind.__subclasses__())
            if _named(kind):
                found.append(kind)
    return sorted(found, key=lambda kind: f"{kind.__module__}.{kind.__qualname__}")


def _named(kind: type[Fact]) -> bool:
    """Whether the class is the one its module and name lead to: the event-sourcing library
    derives copies of an aggregate's event classes that are never stored under their name."""
    found: Any = sys.modules.get(kind.__module__)
    for part in kind.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is kind


def fact_name(kind: type[Any]) -> str:
    """What an event is called in the audit: its aggregate and its own name."""
    return kind.__qualname__

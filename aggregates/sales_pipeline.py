"""The company's sales pipeline: ordered stages with default probabilities (FEATURES C3).

Deals record the stage name and probability in force when they moved, so redefining the
pipeline never rewrites a past deal's history."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.counterparty_profile import check_name
from aggregates.errors import InvalidValue, RuleViolated
from aggregates.stamp import Fact, Stamp


def check_stages(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not stages:
        raise InvalidValue("stages", "a pipeline needs at least one stage")
    checked = []
    for order, stage in enumerate(stages, start=1):
        probability = Decimal(stage["probability"])
        if not 0 <= probability <= 100:
            raise InvalidValue("stages", f"probability of {stage['name']!r} must be 0 to 100 percent")
        checked.append({"name": check_name(stage["name"]), "order": order, "probability": probability})
    names = [stage["name"] for stage in checked]
    if len(set(names)) != len(names):
        raise InvalidValue("stages", "stage names must be unique")
    return checked


class SalesPipeline(Aggregate):
    class Defined(Aggregate.Created, Fact):
        name: str
        stages: list[dict[str, Any]]

        def apply(self, aggregate: "SalesPipeline") -> None:
            aggregate.name = self.name
            aggregate.stages = self.stages

    class Redefined(Fact):
        stages: list[dict[str, Any]]
        previous_stages: list[dict[str, Any]]

        def apply(self, aggregate: "SalesPipeline") -> None:
            aggregate.stages = self.stages

    def __init__(self) -> None:
        self.name = ""
        self.stages: list[dict[str, Any]] = []

    @classmethod
    def define(
        cls, stamp: Stamp, *, name: str, stages: list[dict[str, Any]], id: UUID | None = None
    ) -> "SalesPipeline":
        return cls._create(
            cls.Defined, id=id, name=check_name(name), stages=check_stages(stages), **stamp.fields()
        )

    def redefine(self, stamp: Stamp, stages: list[dict[str, Any]]) -> None:
        checked = check_stages(stages)
        if checked == self.stages:
            raise RuleViolated("the pipeline already has these stages")
        self.trigger_event(self.Redefined, stages=checked, previous_stages=self.stages, **stamp.fields())

    def stage(self, name: str) -> dict[str, Any]:
        for stage in self.stages:
            if stage["name"] == name:
                return stage
        raise InvalidValue("stage", f"the pipeline {self.name!r} has no stage {name!r}")

    @property
    def first_stage(self) -> dict[str, Any]:
        return self.stages[0]

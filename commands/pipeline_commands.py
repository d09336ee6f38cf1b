"""Defining the company's sales pipelines and changing their stages (FEATURES C3)."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from aggregates.sales_pipeline import SalesPipeline
from aggregates.scope import Actor
from aggregates.stamp import Stamp
from commands.catalogue_commands import check_may_configure_sales
from commands.command import Change, Command, Name
from commands.scope import parse_id
from commands.service import Outcome, WriteService


class StageDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    probability: Annotated[
        Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, description="Default win chance, %")
    ]


Stages = Annotated[
    list[StageDefinition], Field(min_length=1, max_length=50, description="In the order deals pass them")
]


class DefinePipeline(Command):
    name: Name
    stages: Stages


class RedefinePipeline(Change):
    stages: Stages


def _stages(stages: list[StageDefinition]) -> list[dict[str, Any]]:
    return [stage.model_dump() for stage in stages]


def define_pipeline(service: WriteService, actor: Actor, command: DefinePipeline) -> Outcome:
    check_may_configure_sales(actor)
    stages = _stages(command.stages)
    return service.run(
        actor, command, lambda stamp: [SalesPipeline.define(stamp, name=command.name, stages=stages)]
    )


def redefine_pipeline(
    service: WriteService, actor: Actor, pipeline_id: str, command: RedefinePipeline
) -> Outcome:
    """Deals already at a stage keep the name and probability their own events recorded."""
    check_may_configure_sales(actor)
    stages = _stages(command.stages)

    def decide(stamp: Stamp) -> list[SalesPipeline]:
        pipeline = service.store.get_at_version(
            parse_id(pipeline_id, "pipeline_id"), SalesPipeline, command.expected_version
        )
        pipeline.redefine(stamp, stages)
        return [pipeline]

    return service.run(actor, command, decide)

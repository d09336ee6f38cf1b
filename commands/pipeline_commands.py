"""Defining the company's sales pipelines and changing their stages (FEATURES C3)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from aggregates.sales_pipeline import SalesPipeline
from commands.command import Change, Command
from commands.context import Context
from commands.fields import Name, Percent
from commands.handling import Handlers
from commands.scope import sales_configuration_guard

handlers = Handlers()


class StageDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    probability: Annotated[Percent, Field(le=100, description="Default win chance, %")]


Stages = Annotated[
    list[StageDefinition], Field(min_length=1, max_length=50, description="In the order deals pass them")
]


class DefinePipeline(Command):
    """Define a sales pipeline: its stages in order, each with a default win chance."""

    name: Name
    stages: Stages


class RedefinePipeline(Change):
    """Replace a pipeline's stages; deals keep what their own events recorded."""

    stages: Stages


def _stages(stages: list[StageDefinition]) -> list[dict[str, Any]]:
    return [stage.model_dump() for stage in stages]


@handlers.handles(
    DefinePipeline, "pipeline.define", SalesPipeline.Defined, authorize=sales_configuration_guard
)
def define_pipeline(ctx: Context, command: DefinePipeline) -> list[SalesPipeline]:
    return [SalesPipeline.define(ctx.stamp, name=command.name, stages=_stages(command.stages))]


@handlers.changes(SalesPipeline, RedefinePipeline, "pipeline.redefine", SalesPipeline.Redefined)
def redefine_pipeline(ctx: Context, pipeline: SalesPipeline, command: RedefinePipeline) -> None:
    pipeline.redefine(ctx.stamp, _stages(command.stages))

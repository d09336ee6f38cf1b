"""/pipelines: the company's sales pipelines, their stages and default probabilities."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aggregates.errors import NotFound
from commands.pipeline_commands import DefinePipeline, RedefinePipeline
from projections.deal_queries import get_pipeline, list_pipelines
from read_api.deps import BackendDep, CurrentActor, ReadAfter, RecordId, Write, fresh_lookup
from read_api.schemas import READ_ONE, WRITE, DecimalText, Uuid, WriteResult

router = APIRouter(prefix="/pipelines", tags=["pipelines"])


class Stage(BaseModel):
    name: str
    order: int = Field(description="1 for the first stage deals enter")
    probability: DecimalText = Field(description="Default win chance of a deal at this stage, %")


class Pipeline(BaseModel):
    id: Uuid
    name: str
    stages: list[Stage]
    version: int
    defined_at: datetime
    updated_at: datetime


@router.get("", response_model=list[Pipeline], dependencies=[ReadAfter])
def list_sales_pipelines(backend: BackendDep, _actor: CurrentActor) -> list[Pipeline]:
    with backend.views.reading() as cursor:
        return [Pipeline(**pipeline) for pipeline in list_pipelines(cursor)]


@router.get("/{pipeline_id}", response_model=Pipeline, dependencies=[ReadAfter], responses=READ_ONE)
def get_sales_pipeline(pipeline_id: RecordId, backend: BackendDep, _actor: CurrentActor) -> Pipeline:
    found = fresh_lookup(backend, lambda cursor: get_pipeline(cursor, pipeline_id))
    if found is None:
        raise NotFound(f"pipeline {pipeline_id} does not exist")
    return Pipeline(**found)


@router.post("", status_code=201, responses=WRITE)
def define_pipeline(command: DefinePipeline, write: Write) -> WriteResult:
    return write(command)


@router.put("/{pipeline_id}/stages", responses=WRITE)
def redefine_pipeline(pipeline_id: RecordId, command: RedefinePipeline, write: Write) -> WriteResult:
    return write(command, pipeline_id)

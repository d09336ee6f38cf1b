"""/pipelines: the company's sales pipelines, their stages and default probabilities."""

from decimal import Decimal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from aggregates.errors import NotFound
from commands.pipeline_commands import DefinePipeline, RedefinePipeline, define_pipeline, redefine_pipeline
from projections.deal_funnel import get_pipeline, list_pipelines
from read_api.deps import BackendDep, CurrentActor, IdempotencyKey, ReadAfter, fresh_lookup, keyed, written
from read_api.schemas import WriteResult, problems

router = APIRouter(prefix="/pipelines", tags=["pipelines"], responses=problems(400, 403, 404, 409, 503))


class Stage(BaseModel):
    name: str
    order: int = Field(description="1 for the first stage deals enter")
    probability: Decimal = Field(description="Default win chance of a deal at this stage, %")


class Pipeline(BaseModel):
    id: str
    name: str
    stages: list[Stage]
    version: int
    defined_at: str
    updated_at: str


@router.get("", response_model=list[Pipeline], dependencies=[ReadAfter])
def pipelines(backend: BackendDep, _actor: CurrentActor) -> list[Pipeline]:
    with backend.views.reading() as cursor:
        return [Pipeline(**pipeline) for pipeline in list_pipelines(cursor)]


@router.get("/{pipeline_id}", response_model=Pipeline, dependencies=[ReadAfter])
def pipeline(pipeline_id: str, backend: BackendDep, _actor: CurrentActor) -> Pipeline:
    found = fresh_lookup(backend, lambda cursor: get_pipeline(cursor, pipeline_id))
    if found is None:
        raise NotFound(f"pipeline {pipeline_id} does not exist")
    return Pipeline(**found)


@router.post("", status_code=201, response_model=WriteResult)
def define(
    command: DefinePipeline,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(define_pipeline(backend.service, actor, keyed(command, key)), response)


@router.put("/{pipeline_id}/stages", response_model=WriteResult)
def redefine(
    pipeline_id: str,
    command: RedefinePipeline,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(redefine_pipeline(backend.service, actor, pipeline_id, keyed(command, key)), response)

"""/payments: money received under contracts, and refunds of it."""

from fastapi import APIRouter, Response

from commands.payment_commands import ReceivePayment, RefundPayment, receive_payment, refund_payment
from read_api.deps import BackendDep, CurrentActor, IdempotencyKey, keyed, written
from read_api.schemas import WriteResult, problems

router = APIRouter(prefix="/payments", tags=["payments"], responses=problems(400, 403, 404, 409))


@router.post("", status_code=201, response_model=WriteResult)
def receive(
    command: ReceivePayment,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(receive_payment(backend.service, actor, keyed(command, key)), response)


@router.post("/{payment_id}/refunds", status_code=201, response_model=WriteResult)
def refund(
    payment_id: str,
    command: RefundPayment,
    backend: BackendDep,
    actor: CurrentActor,
    response: Response,
    key: IdempotencyKey = None,
) -> WriteResult:
    return written(refund_payment(backend.service, actor, payment_id, keyed(command, key)), response)

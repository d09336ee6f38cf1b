"""/payments: money received under contracts, and refunds of it."""

from fastapi import APIRouter

from commands.payment_commands import ReceivePayment, RefundPayment
from read_api.deps import RecordId, Write
from read_api.schemas import WRITE, WriteResult

router = APIRouter(prefix="/payments", tags=["payments"], responses=WRITE)


@router.post("", status_code=201)
def receive_payment(command: ReceivePayment, write: Write) -> WriteResult:
    return write(command)


@router.post("/{payment_id}/refunds", status_code=201)
def refund_payment(payment_id: RecordId, command: RefundPayment, write: Write) -> WriteResult:
    return write(command, payment_id)

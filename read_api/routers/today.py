"""/me/today: the daily report an employee reads on signing in."""

from fastapi import APIRouter

from projections.daily_report import DailyReport, daily_report
from read_api.deps import BackendDep, CurrentActor, ReadAfter

router = APIRouter(tags=["calendar"])


@router.get("/me/today", response_model=DailyReport, dependencies=[ReadAfter])
def get_my_day(backend: BackendDep, actor: CurrentActor) -> DailyReport:
    """Today's meetings, tasks to do and to check, what is overdue, reminders due, birthdays
    and notable dates of the coming week, contract stages starting or late, overdue quote
    tasks and inquiries waiting for an answer; "today" is the day in Europe/Moscow."""
    with backend.views.reading() as cursor:
        return daily_report(cursor, actor, backend.service.clock())

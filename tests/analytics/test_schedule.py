"""The projection worker's schedule keeps the analytics store current: new events appended
at the first catch-up and then once due, the view snapshots on a cadence of their own."""

import time

from analytics.export import exported_position
from analytics.schedule import ExportSchedule
from projections.worker import ProjectionWorker


def eventually(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_new_events_are_appended_once_due_and_views_only_on_their_own_cadence(letopis, staff):
    now = [0.0]
    export = letopis.analytics_export
    schedule = ExportSchedule(export, events_every=60, views_every=0, clock=lambda: now[0])
    head = letopis.store.head()

    schedule(head)
    schedule.wait()
    assert exported_position(export.folder) == head
    assert not (export.folder / "views").exists()

    letopis.create_user("Новикова Ирина", staff["ivanov"][0].role, "Москва-1", "Продажи")
    now[0] = 59
    schedule(letopis.store.head())
    schedule.wait()
    assert exported_position(export.folder) == head

    now[0] = 61
    schedule(letopis.store.head())
    schedule.wait()
    assert exported_position(export.folder) == letopis.store.head()


def test_the_projection_worker_tells_the_schedule_where_it_reached(letopis, staff):
    letopis.create_user("Новикова Ирина", staff["ivanov"][0].role, "Москва-1", "Продажи")
    export = letopis.analytics_export
    schedule = ExportSchedule(export, events_every=0.01, views_every=0.01)
    worker = ProjectionWorker(letopis.runner, interval=0.05, after_catch_up=[schedule])
    worker.start()
    try:
        assert eventually(lambda: exported_position(export.folder) == letopis.store.head())
        assert eventually(lambda: (export.folder / "views" / "employees.parquet").exists())
    finally:
        worker.stop()
        schedule.wait()
    assert letopis.analytics.query("SELECT count(*) FROM views.employees").rows == [(len(staff) + 1,)]

"""The web API in a process of its own, for the HTTP benchmarks:
``python -m benchmarks.server URL PORT [EMPLOYEE_ID]``. Clients in the parent process do not
share its GIL.

With an employee id, every request is served as that employee without looking at its token:
the baseline that shows what the token check itself costs."""

import sys

import uvicorn

from letopis.settings import Settings
from letopis.wiring import build
from projections.employee_directory import find_employee
from read_api.app import create_app
from read_api.deps import get_actor


def main() -> None:
    url, port = sys.argv[1], int(sys.argv[2])
    letopis = build(Settings(database_url=url))
    app = create_app(letopis)
    if len(sys.argv) > 3:
        with letopis.views.reading() as cursor:
            employee = find_employee(cursor, sys.argv[3])
        app.dependency_overrides[get_actor] = lambda: employee
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    finally:
        letopis.close()


if __name__ == "__main__":
    main()

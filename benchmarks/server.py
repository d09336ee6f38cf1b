"""The web API in a process of its own, for the HTTP benchmarks:
``python -m benchmarks.server URL PORT``. Clients in the parent process do not share its GIL."""

import sys

import uvicorn

from letopis.settings import Settings
from letopis.wiring import build
from read_api.app import create_app


def main() -> None:
    url, port = sys.argv[1], int(sys.argv[2])
    letopis = build(Settings(database_url=url))
    try:
        uvicorn.run(create_app(letopis), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    finally:
        letopis.close()


if __name__ == "__main__":
    main()

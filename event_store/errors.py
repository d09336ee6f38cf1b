"""Persistence failures that callers act on, importable without loading a database driver
(the command line reports them without paying for the driver's import)."""


class DatabaseUnavailable(Exception):
    """PostgreSQL could not be used: refused, unreachable, restarting, or every pooled
    connection busy. What was asked may not have been done; a command sent with an
    idempotency key can safely be sent again."""

    def __init__(self, server: str, reason: str) -> None:
        super().__init__(f"PostgreSQL at {server} is unavailable: {reason}")
        self.server = server
        self.reason = reason

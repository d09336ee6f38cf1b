"""PostgreSQL that may be away.

A server that is down must cost a caller a few seconds and one sentence naming the server
and the reason, and a server that is back must be used at once. The drivers' defaults do
otherwise: a pool waits 30 s for a connection, lends connections a restart has killed,
retries its reconnection for minutes with growing pauses, and the event-sourcing library
retries a statement ten times, each retry waiting for the pool again. Here both the event
store and the views use a ``CheckedPool`` bounded by one timeout; a caller whose wait was
in vain gets ``DatabaseUnavailable``; and a schema named in the URL is created on first use.
"""

import math
import re
import select
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import psycopg
from eventsourcing.persistence import OperationalError
from eventsourcing.postgres import ConnectionPool, PostgresDatastore
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, dict_row
from psycopg.sql import SQL, Identifier
from psycopg_pool import PoolTimeout

from event_store.errors import DatabaseUnavailable

DEFAULT_TIMEOUT = 3.0
"""Seconds a caller waits for PostgreSQL before hearing that it is unavailable."""

CT = TypeVar("CT", bound=psycopg.Connection[Any])

# What the sentence around a driver's message already says: the server's address.
_ADDRESS_PREFIX = re.compile(
    r"^(connection failed: )?(connection to server (at|on) .+? failed: )?(FATAL: +)?"
)


def split_schema(url: str) -> tuple[str, str]:
    """A ``postgresql://`` URL as libpq takes it, and the schema its ``?schema=`` names
    (``public`` when none): libpq knows no such parameter."""
    parsed = urlparse(url)
    query = parse_qsl(parsed.query)
    schema = next((value for name, value in query if name == "schema"), "public")
    kept = urlencode([(name, value) for name, value in query if name != "schema"])
    return urlunparse(parsed._replace(query=kept)), schema


def server_of(conninfo: str) -> str:
    params = conninfo_to_dict(conninfo)
    return f"{params.get('host') or 'localhost'}:{params.get('port') or 5432}"


def _connect_timeout(timeout: float) -> int:
    # libpq counts whole seconds and treats anything under 2 as 2.
    return max(2, math.ceil(timeout))


def _reason(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return _ADDRESS_PREFIX.sub("", lines[0]) if lines else type(error).__name__


def is_outage(error: psycopg.OperationalError) -> bool:
    """The connection was lost or never made (no SQLSTATE, a connection exception, or the
    server shutting down), as opposed to a statement the server refused."""
    return error.sqlstate is None or error.sqlstate.startswith(("08", "57P"))


def unavailable(conninfo: str, error: BaseException, timeout: float) -> DatabaseUnavailable:
    """Name the server and why it could not be used. A pool that waited in vain knows only
    that it did; one direct attempt tells why (refused, unknown host, wrong password), or
    that the server answers and every pooled connection was busy."""
    if isinstance(error, PoolTimeout):
        try:
            psycopg.connect(conninfo, connect_timeout=_connect_timeout(timeout)).close()
        except psycopg.Error as refused:
            error = refused
        else:
            return DatabaseUnavailable(
                server_of(conninfo), f"no pooled connection came free within {timeout:g} s"
            )
    return DatabaseUnavailable(server_of(conninfo), _reason(error))


def ensure_schema(conninfo: str, schema: str, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Connect once, directly, so that a server that is away is reported at once and with
    its reason; create the schema if it does not exist yet."""
    try:
        with psycopg.connect(
            conninfo, connect_timeout=_connect_timeout(timeout), autocommit=True
        ) as connection:
            found = connection.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
            # Checked first: CREATE SCHEMA IF NOT EXISTS needs the right to create schemas
            # even when the schema is there. Another process may create it meanwhile.
            if found is None:
                with suppress(errors.DuplicateSchema, errors.UniqueViolation):
                    connection.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(schema)))
    except psycopg.OperationalError as error:
        raise unavailable(conninfo, error, timeout) from error


class CheckedPool(ConnectionPool[CT]):
    """A pool that lends only connections that answer, and waits ``timeout`` seconds at
    most, whether for a free connection or for a new one. Checking costs a round trip only
    for a connection that something happened to while it was idle (``_may_be_dead``).

    A connection found dead means that the server restarted or the way to it broke, which
    killed the idle connections too: all of them are checked at once, rather than costing
    one caller each. Reconnection gives up after ``timeout`` as well, instead of retrying
    for minutes with pauses that grow to a minute: the next caller starts a fresh attempt,
    so a server that is back is used at once."""

    def __init__(self, conninfo: str, *, timeout: float, kwargs: dict[str, Any], **options: Any) -> None:
        super().__init__(
            conninfo,
            kwargs={**kwargs, "connect_timeout": _connect_timeout(timeout)},
            timeout=timeout,
            reconnect_timeout=timeout,
            check=self._check_alive,
            **options,
        )

    def _check_alive(self, connection: CT) -> None:
        if not _may_be_dead(connection):
            return
        try:
            self.check_connection(connection)
        except psycopg.Error:
            self.check()
            raise


def _may_be_dead(connection: psycopg.Connection[Any]) -> bool:
    """Whether an idle pooled connection needs a round trip to tell if it still works.

    An idle connection is told nothing by the server: when the server shuts down or a backend
    is killed, the server's farewell or the socket's end arrives and makes it readable. One
    that is not readable would answer a check as well as the statement it is lent for, so
    the check (a round trip per checkout) is made only for one that is readable, not idle or
    already known to be broken. A link that breaks silently (a host that vanished) is caught
    by neither the check nor this, but by the statement's own failure."""
    if connection.closed or connection.broken:
        return True
    if connection.pgconn.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return True
    try:
        poller = select.poll()
    except AttributeError:  # a platform without poll(): always check
        return True
    poller.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class FailFastDatastore(PostgresDatastore):
    """The event-sourcing library's datastore over a ``CheckedPool``.

    The library retries a failed statement ten times; a retry after a connection died is
    worth it, but one after the pool waited in vain for any connection only waits again.
    Such a wait ends in ``DatabaseUnavailable``, which the library does not retry."""

    def __init__(self, conninfo: str, schema: str, timeout: float, pool_size: int, max_overflow: int) -> None:
        params = {name: str(value) for name, value in conninfo_to_dict(conninfo).items()}
        super().__init__(
            dbname=params.get("dbname", "postgres"),
            host=params.get("host", ""),
            port=params.get("port", 5432),
            user=params.get("user", "postgres"),
            password=params.get("password", ""),
            connect_timeout=timeout,
            idle_in_transaction_session_timeout=5,
            schema=schema,
        )
        self.conninfo = conninfo
        self.timeout = timeout
        # Replaces the pool the library built (and never opened) with one configured alike.
        self.pool = CheckedPool(
            conninfo,
            timeout=timeout,
            kwargs={"row_factory": dict_row},
            connection_class=psycopg.Connection[DictRow],
            min_size=pool_size,
            max_size=pool_size + max_overflow,
            open=False,
            configure=self.after_connect_func(),
        )

    @contextmanager
    def get_connection(self) -> Iterator[psycopg.Connection[DictRow]]:
        try:
            with super().get_connection() as connection:
                yield connection
        except OperationalError as error:
            if isinstance(error.__cause__, PoolTimeout):
                raise unavailable(self.conninfo, error.__cause__, self.timeout) from error
            raise

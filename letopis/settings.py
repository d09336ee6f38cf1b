"""Every setting Letopis reads, from ``LETOPIS_*`` environment variables or a ``.env`` file."""

from datetime import date
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from event_store.postgres import DEFAULT_TIMEOUT
from event_store.store import DEFAULT_CACHE_SIZE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LETOPIS_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the embedded store keeps its files")
    database_url: str = Field(
        "",
        description="Empty: the embedded SQLite store in data_dir. "
        "postgresql://user:password@host:port/db for production; memory:// for throwaway runs.",
    )
    database_timeout: float = Field(
        DEFAULT_TIMEOUT,
        gt=0,
        description="Seconds to wait for PostgreSQL (a new connection, or a free one in the pool) "
        "before the API answers 503 and a command gives up",
    )
    aggregate_cache_size: int = Field(
        DEFAULT_CACHE_SIZE,
        ge=0,
        description="Records the write side remembers between commands instead of reading them "
        "from the log each time (each write still checks they have not changed); 0: none",
    )
    host: str = Field("127.0.0.1", description="Address the web API listens on")
    port: int = Field(8000, description="Port the web API listens on")
    projection_interval: float = Field(
        0.2, gt=0, description="Seconds between polls of the log by the projection worker"
    )
    projection_worker: bool = Field(
        True,
        description="Whether `crm serve` keeps the views current in its own process; false where "
        "`crm projections run` runs as a service of its own",
    )
    earliest_business_day: date = Field(
        date(1900, 1, 1),
        ge=date(1900, 1, 1),
        description="Nothing recorded may have happened before this day (the calendar starts in 1900)",
    )
    clock_skew_seconds: float = Field(
        300, ge=0, le=86_400, description="How far ahead of the server's clock a business time may lie"
    )
    token_lifetime_days: int = Field(90, ge=1, le=3660, description="How long an access token lasts")
    sign_in_failures: int = Field(
        20, ge=1, description="Failed sign-ins a client address may make within the window before a 429"
    )
    sign_in_window_seconds: float = Field(60, gt=0, description="The window failed sign-ins are counted in")
    analytics_dir: Path | None = Field(
        None, description="Where the analytics store (Parquet for DuckDB) is kept; empty: data_dir/analytics"
    )
    analytics_events_seconds: float = Field(
        60,
        ge=0,
        description="How often the projection worker appends new events to the analytics store; "
        "0: only `crm analytics export` does",
    )
    analytics_views_seconds: float = Field(
        300,
        ge=0,
        description="How often the projection worker rewrites the analytics store's view snapshots; "
        "0: only `crm analytics export` does",
    )
    analytics_time_limit: float = Field(10, gt=0, le=600, description="Seconds an analytics query may run")
    analytics_row_limit: int = Field(
        10_000, ge=1, le=1_000_000, description="Rows an analytics query may return"
    )
    replay_dir: Path | None = Field(
        None,
        description="Where views replayed for a past moment are kept at some log positions, so that "
        "the next replay starts from the nearest; empty: data_dir/replay",
    )
    replay_checkpoint_events: int = Field(
        20_000,
        ge=0,
        description="A report's own events between kept replays of its views, at least (the spacing "
        "doubles to keep at most 16 per report); 0: every replay reads the log from its start",
    )
    replay_checkpoint_seconds: float = Field(
        600,
        ge=0,
        description="How often the projection worker looks whether a past report's views want a new "
        "checkpoint and replays them if so; 0: only the replays of reports keep them",
    )
    replay_checkpoint_mb: int = Field(
        1024, ge=1, description="A report's replayed views larger than this are not kept"
    )
    import_requisites_as_warnings: bool = Field(
        False,
        description="For a legacy import: requisites that fail their control digits (ИНН, ОГРН, an "
        "account's key) are imported as they are and listed as warnings instead of refusing the row",
    )
    kafka_bootstrap_servers: str = Field(
        "", description="Kafka brokers for the event relay (host:port,…); empty: no relay"
    )

    def analytics_folder(self) -> Path:
        return (self.analytics_dir or self.data_dir / "analytics").resolve()

    def replay_folder(self) -> Path:
        return (self.replay_dir or self.data_dir / "replay").resolve()

    def event_store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'events.sqlite').resolve()}"

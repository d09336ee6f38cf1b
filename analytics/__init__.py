"""SQL for analysts over every fact ever recorded: the log flattened and the views
snapshotted to Parquet (``export``), read by DuckDB without write, file or network access
(``sql``), described table by table (``catalogue``), and ready analyses (``analyses``)."""

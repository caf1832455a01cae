"""The analytics engine seam: the one small interface indicator SQL runs behind.

An engine holds named Arrow tables and answers SQL over them with Arrow. DuckDB (in process,
no extension) is the default; a Spark backend would implement the same four methods with
``spark.createDataFrame`` / ``createOrReplaceTempView`` / ``spark.sql`` and its own dialect, and
every definition would run unchanged.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from lookthrough.engine.compile import Dialect, DuckDBDialect


class AnalyticsEngine(Protocol):
    dialect: Dialect

    def load(self, name: str, table: pa.Table) -> None:
        """Make ``table`` queryable as ``name`` (replacing any table of that name)."""

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pa.Table:
        """Run SQL with named parameters; the answer as an Arrow table."""

    def close(self) -> None: ...


class EngineError(RuntimeError):
    """A query the engine could not run; carries the SQL (for logs, never for users)."""

    def __init__(self, message: str, sql: str) -> None:
        super().__init__(f"{message}\n-- SQL:\n{sql}")
        self.sql = sql


class DuckDBEngine:
    """DuckDB in memory over Arrow tables (zero-copy registration, no extension loaded)."""

    dialect: Dialect

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        config: dict[str, Any] = {
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
        }
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        self._con = duckdb.connect(":memory:", config=config)
        self.dialect = DuckDBDialect()
        self._tables: dict[str, pa.Table] = {}

    def load(self, name: str, table: pa.Table) -> None:
        self._tables[name] = table  # DuckDB reads it in place: keep it alive
        self._con.register(name, table)

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pa.Table:
        try:
            return self._con.sql(sql, params=params or {}).to_arrow_table()
        except duckdb.Error as error:
            raise EngineError(str(error), sql) from error

    def close(self) -> None:
        self._con.close()
        self._tables.clear()

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

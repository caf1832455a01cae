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

    def load_query(self, name: str, sql: str, params: dict[str, Any] | None = None) -> None:
        """Make the answer of ``sql`` queryable as ``name`` (files are read where they lie)."""

    def close(self) -> None: ...


class EngineError(RuntimeError):
    """A query the engine could not run; carries the SQL (for logs, never for users)."""

    def __init__(self, message: str, sql: str) -> None:
        super().__init__(f"{message}\n-- SQL:\n{sql}")
        self.sql = sql


class DuckDBEngine:
    """DuckDB in memory, fed Arrow tables (no extension is loaded or installed)."""

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

    def load(self, name: str, table: pa.Table) -> None:
        """Copy the Arrow table into DuckDB's own storage: every run queries ``events`` several
        times (indicators as of two days, outcomes, alert baselines), and scans of native,
        compressed columns are faster than re-reading Arrow strings each time."""
        if not name.isidentifier():
            raise ValueError(f"unsafe table name {name!r}")
        self._con.register("_arrow_in", table)
        try:
            # The name is checked above to be an identifier (S608 is safe here).
            self._con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _arrow_in')  # noqa: S608
        finally:
            self._con.unregister("_arrow_in")

    def load_query(self, name: str, sql: str, params: dict[str, Any] | None = None) -> None:
        if not name.isidentifier():
            raise ValueError(f"unsafe table name {name!r}")
        statement = f'CREATE OR REPLACE TABLE "{name}" AS {sql}'
        try:
            self._con.execute(statement, params or {})
        except duckdb.Error as error:
            raise EngineError(str(error), statement) from error

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pa.Table:
        try:
            return self._con.sql(sql, params=params or {}).to_arrow_table()
        except duckdb.Error as error:
            raise EngineError(str(error), sql) from error

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

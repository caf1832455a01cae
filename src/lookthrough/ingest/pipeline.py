"""Reading a file on one core while the database is written on the other.

The reading side (parse, check, hash every row) and the writing side (resolve references,
insert, commit) each need a whole core at 50k rows/s, and Python threads share one interpreter
lock, so by default the reader runs in a forked child process and hands checked chunks over a
bounded queue. Where fork is unsafe (inside the web server, which has threads) or unavailable,
the reader runs on a thread instead: slower, same results.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lookthrough.core.clock import utcnow
from lookthrough.core.db import make_engine, session_factory
from lookthrough.ingest import references
from lookthrough.ingest.mapping import Mapping
from lookthrough.ingest.readers import read_rows
from lookthrough.ingest.rows import row_reader
from lookthrough.ingest.shapes import Candidate, prepare
from lookthrough.ingest.sql import Context

Mode = Literal["process", "thread"]
QUEUE_CHUNKS = 8  # parcels in flight between reader and writer (bounds memory)
# The reader hands rows over in small parcels, so the writer starts (and the reader finishes)
# without waiting for a whole transaction's worth; the writer gathers them into chunks.
PARCEL_ROWS = 2000


@dataclass(frozen=True, slots=True)
class ReadPlan:
    path: Path
    mapping: Mapping
    source: str
    regions: frozenset[str]
    resume_after: int  # rows up to this source row were committed by an earlier run
    chunk_rows: int
    # Set for a reader process: it resolves records' references on its own connection, so the
    # writer only inserts (and checks the jurisdiction ``scope`` for batch ``batch_id``).
    database_url: str | None = None
    scope: str = ""
    batch_id: str = ""


@dataclass(frozen=True, slots=True)
class Header:
    names: list[str]  # the file's header, to show quarantined rows by column
    columns: dict[str, str]  # target field → header, for problems found when writing


@dataclass(frozen=True, slots=True)
class Failed:
    error: BaseException


Message = Header | list[Candidate] | Failed | None  # None: the file is done


def _produce(plan: ReadPlan, put: Callable[[Message], None]) -> None:
    resolver: Resolver | None = None
    try:
        table = read_rows(plan.path, sheet=plan.mapping.sheet, encoding=plan.mapping.encoding)
        reader = row_reader(
            prepare(plan.mapping, table.header), regions=set(plan.regions), source=plan.source
        )
        if plan.database_url and plan.mapping.is_record:
            resolver = Resolver(plan, reader.prepared.columns)
            put = resolver.wrap(put)
        put(Header(table.header, reader.prepared.columns))
        # Millions of short-lived acyclic objects: the cycle collector would only rescan them.
        gc.disable()
        chunk: list[Candidate] = []
        for number, cells in table.rows:
            if number <= plan.resume_after:
                continue
            candidate = reader.read(number, cells)
            candidate.raw = cells
            chunk.append(candidate)
            if len(chunk) >= min(plan.chunk_rows, PARCEL_ROWS):
                put(chunk)
                chunk = []
        if chunk:
            put(chunk)
        put(None)
    except BaseException as error:  # handed to the writing side, which raises it
        put(Failed(error))
    finally:
        if resolver is not None:
            resolver.close()


class Resolver:
    """Resolves each chunk's references on the reader's own database connection."""

    def __init__(self, plan: ReadPlan, columns: dict[str, str]) -> None:
        assert plan.database_url is not None
        self.engine = make_engine(plan.database_url)
        self.factory = session_factory(self.engine)
        self.ctx = Context(
            mapping=plan.mapping,
            source=plan.source,
            batch_id=plan.batch_id,
            scope=plan.scope,
            now=utcnow(),
            columns=columns,
        )

    def wrap(self, put: Callable[[Message], None]) -> Callable[[Message], None]:
        def resolved(message: Message) -> None:
            if isinstance(message, list):
                with self.factory() as session:  # reads only; each chunk its own snapshot
                    references.resolve(session, message, self.ctx)
            put(message)

        return resolved

    def close(self) -> None:
        self.engine.dispose()


# Linux lets a pipe hold this much (the default is 64 KiB): the reader can run about two parcels
# ahead of the writer, and each parcel leaves in one write.
PIPE_BYTES = 1 << 20
F_SETPIPE_SZ = 1031  # fcntl.h; not exported by Python's fcntl module


class PipeChannel:
    """Parcels over a pipe, pickled by the reading thread itself.

    multiprocessing.Queue would pickle on a feeder thread that must win the interpreter lock
    back from the reading thread for every 64 KiB; at these rates that stalls the writer.
    """

    def __init__(self, context: Any) -> None:
        self.receiver, self.sender = context.Pipe(duplex=False)
        try:
            import fcntl

            fcntl.fcntl(self.sender.fileno(), F_SETPIPE_SZ, PIPE_BYTES)
        except (ImportError, OSError):  # other systems: a smaller pipe, same results
            pass

    def put(self, message: Message) -> None:
        self.sender.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def get(self) -> Message:
        message: Message = pickle.loads(self.receiver.recv_bytes())  # noqa: S301 - our child
        return message


def _child(plan: ReadPlan, channel: PipeChannel) -> None:
    _produce(plan, channel.put)


def fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def read_chunks(plan: ReadPlan, *, mode: Mode = "process") -> Iterator[Message]:
    """The file's header, then its checked chunks, ending with None (or a Failed)."""
    if mode == "process" and fork_available():
        context = multiprocessing.get_context("fork")
        channel: Any = PipeChannel(context)
        worker: Any = context.Process(
            target=_child, args=(plan, channel), daemon=True, name="lookthrough-import-reader"
        )
    else:
        channel = queue.Queue(maxsize=QUEUE_CHUNKS)
        worker = threading.Thread(
            target=_produce, args=(plan, channel.put), daemon=True, name="lookthrough-import-reader"
        )
    worker.start()
    try:
        while True:
            message: Message = channel.get()
            yield message
            if message is None or isinstance(message, Failed):
                return
    finally:
        if isinstance(worker, threading.Thread):
            while worker.is_alive():  # unblock a reader waiting on a full queue, then let it end
                try:
                    channel.get_nowait()
                except queue.Empty:
                    worker.join(0.05)
        else:
            worker.terminate()
            worker.join()

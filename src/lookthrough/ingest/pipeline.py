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
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lookthrough.ingest.mapping import Mapping
from lookthrough.ingest.readers import read_rows
from lookthrough.ingest.rows import Candidate, RowReader, prepare

Mode = Literal["process", "thread"]
QUEUE_CHUNKS = 3  # chunks in flight between reader and writer (bounds memory)


@dataclass(frozen=True, slots=True)
class ReadPlan:
    path: Path
    mapping: Mapping
    source: str
    regions: frozenset[str]
    resume_after: int  # rows up to this source row were committed by an earlier run
    chunk_rows: int


@dataclass(frozen=True, slots=True)
class Header:
    names: list[str]  # the file's header, to show quarantined rows by column
    columns: dict[str, str]  # target field → header, for problems found when writing


@dataclass(frozen=True, slots=True)
class Failed:
    error: BaseException


Message = Header | list[Candidate] | Failed | None  # None: the file is done


def _produce(plan: ReadPlan, put: Callable[[Message], None]) -> None:
    try:
        table = read_rows(plan.path, sheet=plan.mapping.sheet, encoding=plan.mapping.encoding)
        reader = RowReader(
            prepare(plan.mapping, table.header), regions=set(plan.regions), source=plan.source
        )
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
            if len(chunk) >= plan.chunk_rows:
                put(chunk)
                chunk = []
        if chunk:
            put(chunk)
        put(None)
    except BaseException as error:  # handed to the writing side, which raises it
        put(Failed(error))


def _child(plan: ReadPlan, channel: Any) -> None:
    _produce(plan, channel.put)
    channel.close()
    channel.join_thread()


def fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def read_chunks(plan: ReadPlan, *, mode: Mode = "process") -> Iterator[Message]:
    """The file's header, then its checked chunks, ending with None (or a Failed)."""
    if mode == "process" and fork_available():
        context = multiprocessing.get_context("fork")
        channel: Any = context.Queue(maxsize=QUEUE_CHUNKS)
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

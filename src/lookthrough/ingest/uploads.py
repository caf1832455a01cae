"""Files uploaded through the web: kept under var/uploads, imported on a background thread.

The upload request only stores the file and opens its batch; the import then runs on a thread
(the web server has threads, so the reader is a thread too) and the page follows its progress.
If the server stops half way, the batch stays unfinished and uploading the same file resumes it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import FileRejected
from lookthrough.ingest import readers, service

log = logging.getLogger("lookthrough.ingest")
MAX_UPLOAD_BYTES = 512 << 20  # 512 MiB; bigger files go through `lookthrough import`
ALLOWED = {".csv", ".txt", ".xlsx", ".json", ".jsonl", ".ndjson"}


def store(stream: BinaryIO, filename: str, folder: Path) -> Path:
    """Save an upload under a random name, refusing oversize files and unknown types."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xls":
        raise FileRejected("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后上传")
    if suffix not in ALLOWED:
        raise FileRejected(
            f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 CSV、XLSX 或 JSON 文件"
        )
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}{suffix}"
    written = 0
    with target.open("wb") as handle:
        while chunk := stream.read(1 << 20):
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                handle.close()
                target.unlink(missing_ok=True)
                raise FileRejected(f"文件超过 {MAX_UPLOAD_BYTES >> 20} MB，请使用命令行导入")
            handle.write(chunk)
    if written == 0:
        target.unlink(missing_ok=True)
        raise FileRejected("上传的文件是空的")
    return target


def start(
    factory: Callable[[], Session], *, actor: Actor, path: Path, target: str, original_name: str
) -> str:
    """Open the batch now (so the page can show it) and import on a background thread."""
    mapping = service.mapping_for(target)
    if path.suffix.lower() in {".csv", ".txt"} and mapping.encoding is None:
        # A CSV in another encoding (UTF-16, Latin-1) cannot yield one row: refuse it while the
        # user waits, with the reader's own message, rather than as a failed batch later.
        try:
            readers.sniff_encoding(path)
        except FileRejected:
            path.unlink(missing_ok=True)
            raise
    opened = service.open_batch(
        factory,
        actor=actor,
        path=path,
        mapping=mapping,
        file_name=Path(original_name).name,
    )

    def work() -> None:
        try:
            service.run_batch(factory, opened, mode="thread")
        except Exception:  # the batch row records the failure; the log keeps the trace
            log.exception("import of %s failed", original_name)

    threading.Thread(target=work, name=f"upload-{opened.batch_id}", daemon=True).start()
    return opened.batch_id

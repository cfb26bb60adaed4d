"""Files the archivist's outputs are written to: atomically, named after their document."""
from __future__ import annotations

import os
from pathlib import Path


def write_atomic(target: Path, data: bytes) -> Path:
    """``data`` into ``target`` through a temporary file in its folder, renamed when complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def output_stem(name: str) -> str:
    """The stem of a document's outputs: its stored name without the extension
    (``004_scan.pdf`` -> ``004_scan``, ``file.pdf#2`` -> ``file#2``), never a path."""
    base, hash_, part = name.partition("#")
    stem = Path(base).stem if Path(base).suffix else base
    stem = (stem or "document") + (f"#{part}" if hash_ else "")
    return stem.replace("/", "_").replace(os.sep, "_")

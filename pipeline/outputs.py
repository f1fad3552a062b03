"""Writing outputs safely: each file appears whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import OutputError


@contextlib.contextmanager
def replace_atomically(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it over ``target``."""
    handle, name = tempfile.mkstemp(prefix=".~", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        try:
            os.replace(temporary, target)
        except OSError as error:
            raise OutputError(
                f"{target} を書き換えられません。Excelで開いている場合は閉じてから再実行してください。"
                f"（{error.strerror}）"
            ) from error
    finally:
        temporary.unlink(missing_ok=True)

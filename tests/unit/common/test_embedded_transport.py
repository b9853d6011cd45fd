"""The embedded broker's files: a consumer never sees a message that is still being written."""

from __future__ import annotations

import builtins
import os
from pathlib import Path
from typing import Any

import pytest

from services.common.connections import connection_for
from services.common.embedded_transport import SafeFilesystemChannel


def test_a_message_being_written_is_invisible_to_consumers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the publisher writes a message file, no file a consumer would take (`*.<queue>.msg`) exists."""
    seen_while_writing: list[list[str]] = []
    real_open = builtins.open
    with connection_for(tmp_path, None) as conn:
        channel = conn.default_channel
        assert isinstance(channel, SafeFilesystemChannel)
        folder = channel.data_folder_out

        class Spy:
            def __init__(self, file: Any) -> None:
                self.file = file

            def write(self, data: bytes) -> int:
                seen_while_writing.append([n for n in os.listdir(folder) if n.endswith(".q1.msg")])
                return self.file.write(data)

            def __getattr__(self, name: str) -> Any:
                return getattr(self.file, name)

            def __enter__(self) -> Spy:
                return self

            def __exit__(self, *exc: object) -> None:
                self.file.close()

        def spying_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            file = real_open(path, mode, *args, **kwargs)
            return Spy(file) if "w" in mode and str(path).startswith(folder) else file

        monkeypatch.setattr(builtins, "open", spying_open)
        channel._put("q1", {"body": "x", "properties": {"delivery_tag": "t1"}})
        monkeypatch.setattr(builtins, "open", real_open)

        assert seen_while_writing, "the publisher wrote nothing through open()"
        assert all(names == [] for names in seen_while_writing)
        assert [n for n in os.listdir(folder) if n.endswith(".q1.msg")], "the message is in place afterwards"
        assert channel._get("q1")["body"] == "x"

"""The embedded broker: kombu's filesystem transport, hardened so that a consumer killed mid-message does not
lose it. kombu's own channel deletes a message's file on delivery; this one parks it in `unacked/<pid>/` until
it is acked, and `recover_orphans` puts back the files of dead processes."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps

log = logging.getLogger(__name__)


def broker_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "broker"


class SafeFilesystemChannel(filesystem.Channel):
    """Filesystem channel that parks a delivered message in `unacked/<pid>/` until it is acked.

    kombu's own filesystem channel deletes the file on delivery, so a consumer killed before ack loses
    the message. Here ack (or reject) removes the parked file and `recover_orphans` puts back the files
    of dead processes.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._parked: dict[str, str] = {}

    @property
    def unacked_folder(self) -> str:
        folder = os.path.join(self.transport_options["unacked_folder"], str(os.getpid()))
        os.makedirs(folder, exist_ok=True)
        return folder

    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> Any:  # type: ignore[override]  # as kombu names it
        """Write the message under a name no consumer looks for, then rename it into place: a consumer sees
        a whole message or none (kombu's own channel writes in place, and a consumer could take a file
        still being written and fail to parse it)."""
        name = f"{time.monotonic_ns() // 1_000_000}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"
        try:
            with open(partial, "wb") as f:
                f.write(dumps(payload).encode())
                f.flush()
                os.fsync(f.fileno())
            os.rename(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: str, timeout: Any = None) -> dict[str, Any]:
        wanted = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != wanted:
                continue
            parked = os.path.join(self.unacked_folder, filename)
            try:
                os.rename(os.path.join(self.data_folder_in, filename), parked)
            except OSError:
                continue  # another consumer took it
            with open(parked, "rb") as f:
                payload = json.loads(f.read())
            self._parked[payload["properties"]["delivery_tag"]] = parked
            return payload
        raise Empty()

    def _unpark(self, delivery_tag: str) -> None:
        path = self._parked.pop(delivery_tag, None)
        if path:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def basic_ack(self, delivery_tag: Any, multiple: bool = False) -> None:
        super().basic_ack(delivery_tag, multiple=multiple)
        self._unpark(delivery_tag)

    def basic_reject(self, delivery_tag: Any, requeue: bool = False) -> None:
        super().basic_reject(delivery_tag, requeue=requeue)
        self._unpark(delivery_tag)

    def _restore(self, message: Any) -> None:
        super()._restore(message)
        self._unpark(message.delivery_tag)


class SafeFilesystemTransport(filesystem.Transport):
    Channel = SafeFilesystemChannel


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_orphans(data_dir: Path) -> int:
    """Put back the messages that dead consumer processes had taken but not acked."""
    root = broker_dir(data_dir)
    unacked, messages = root / "unacked", root / "messages"
    count = 0
    if not unacked.exists():
        return 0
    for folder in unacked.iterdir():
        if not folder.name.isdigit() or _pid_alive(int(folder.name)):
            continue
        for file in folder.iterdir():
            os.rename(file, messages / file.name)
            count += 1
        folder.rmdir()
    if count:
        log.warning("recovered %d unacked messages of dead consumers", count)
    return count

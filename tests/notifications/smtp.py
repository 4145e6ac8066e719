"""A real SMTP server on loopback (aiosmtpd) that records what it accepts.

It can be told to refuse the next messages (at RCPT or DATA, with any reply) or
to hold the next message in DATA until released, so a test can kill a worker in
the middle of a send. Used by the tests and by bench/emails.py.
"""

import asyncio
import logging
import socket
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

# aiosmtpd logs every command at INFO; a test or the bench wants only trouble.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Received:
    message_id: str
    to: str
    subject: str
    message: EmailMessage


class Hold:
    """The next DATA waits here until `release()`.

    With `accepted`, the server records the message first and holds only its
    250 reply: the message is accepted, the client does not know it yet. Without,
    it holds before recording and then answers 451: nothing is accepted.
    """

    def __init__(self, *, accepted: bool) -> None:
        self.accepted = accepted
        self.reached = threading.Event()
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()

    async def wait(self) -> None:
        self.reached.set()
        while not self._released.is_set():
            await asyncio.sleep(0.01)


class SmtpSink:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.sessions = 0
        self._lock = threading.Lock()
        self._refusals: dict[str, deque[str]] = {"rcpt": deque(), "data": deque()}
        self._hold: Hold | None = None
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    # --- what the test says -------------------------------------------------
    def refuse(self, *, at: str, reply: str, times: int = 1) -> None:
        """Answer the next `times` RCPT or DATA commands with `reply`."""
        with self._lock:
            self._refusals[at].extend([reply] * times)

    def hold_next(self, *, accepted: bool = False) -> Hold:
        hold = Hold(accepted=accepted)
        with self._lock:
            self._hold = hold
        return hold

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def copies(self) -> Counter:
        """How many times each Message-ID arrived."""
        with self._lock:
            return Counter(item.message_id for item in self.received)

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= count:
                return True
            time.sleep(0.02)
        return self.count() >= count

    # --- aiosmtpd handler hooks ---------------------------------------------
    def _next_refusal(self, stage: str) -> str | None:
        with self._lock:
            queue = self._refusals[stage]
            return queue.popleft() if queue else None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 — aiosmtpd's hook name
        session.host_name = hostname
        with self._lock:
            self.sessions += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 — aiosmtpd's hook name
        refusal = self._next_refusal("rcpt")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        refusal = self._next_refusal("data")
        if refusal:
            return refusal
        with self._lock:
            hold, self._hold = self._hold, None
        if hold is not None and not hold.accepted:
            await hold.wait()
            return "451 4.3.0 Aborted by the test"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.received.append(
                Received(
                    message_id=message["Message-ID"],
                    to=", ".join(envelope.rcpt_tos),
                    subject=str(message["Subject"]),
                    message=message,
                )
            )
        if hold is not None:
            await hold.wait()
        return "250 2.0.0 Accepted"

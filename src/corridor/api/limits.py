"""ASGI middleware that bounds every request: its body size and its time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _TooLarge(HTTPException):
    """Raised while a body streams in past the limit (an HTTPException so FastAPI passes it on)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


async def send_error(send: Send, status: int, detail: str) -> None:
    """An error response as every other (:class:`~corridor.api.models.ErrorOut`)."""
    body = json.dumps({"detail": detail, "suggestions": [], "problems": []}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class LimitMiddleware:
    """Refuse bodies over ``max_body_bytes`` (413), URLs over ``max_url_bytes`` (414), and answer
    504 when a request takes longer than ``timeout_s``.

    The size is checked from ``Content-Length`` before anything is read and again while the body
    streams in, so a chunked upload cannot slip past. A request that runs out of time gets its 504 at
    once; the worker thread computing it (if any) finishes on its own, as threads cannot be stopped,
    and its answer is dropped.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_url_bytes: int, timeout_s: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_url_bytes = max_url_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url_bytes = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if url_bytes > self.max_url_bytes:
            await send_error(send, 414, f"the URL is {url_bytes} bytes; the limit is {self.max_url_bytes}: "
                                        "send long queries as a JSON body")
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await send_error(send, 400, "Content-Length is not a number")
                    return
                if length > self.max_body_bytes:
                    await self._too_large(send)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise _TooLarge(self.max_body_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, limited_receive, tracking_send), timeout=self.timeout_s)
        except _TooLarge:
            if not started:
                await self._too_large(send)
        except TimeoutError:
            if not started:
                limit = f"{self.timeout_s:g} s"
                await send_error(send, 504, f"the request took longer than its limit of {limit}; "
                                            "ask for fewer alternatives, or submit long work as a job")

    async def _too_large(self, send: Send) -> None:
        limit = self.max_body_bytes
        await send_error(send, 413, f"the request body is larger than the limit of {limit} bytes")

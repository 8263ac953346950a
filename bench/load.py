"""A bounded loopback load test: `concurrency` readers, each on its own HTTP/1.1 connection
(kept open while the server allows, else opened again per request, as a browser does), asking the given paths in turn for `duration` seconds after a warm-up. Written on
asyncio streams (no client library): the client shares the machine's cores with the server, so
it must cost little per request."""

import asyncio
import random
import statistics
import time
from urllib.parse import urlsplit

__all__ = ["run_load"]


async def _request(reader, writer, host: str, path: str) -> tuple[int, int, bool]:
    """(status, body bytes, whether the server keeps the connection open)."""
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip\r\n"
            "Connection: keep-alive\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, chunked, keep = None, False, True
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _sep, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value == "close":
            keep = False
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
    body = b""
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
    elif length:
        body = await reader.readexactly(length)
    return status, len(body), keep


async def _reader(base, paths, stop_at, count_from, results, errors):
    parts = urlsplit(base)
    host = parts.netloc
    order = list(paths)
    random.shuffle(order)
    i = 0
    conn = None
    while time.perf_counter() < stop_at:
        if conn is None:
            try:
                conn = await asyncio.open_connection(parts.hostname, parts.port)
            except OSError as exc:
                errors.append(f"connect: {exc}")
                await asyncio.sleep(0.05)
                continue
        path = order[i % len(order)]
        i += 1
        started = time.perf_counter()
        try:
            status, size, keep = await _request(*conn, host, path)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            conn[1].close()
            conn = None
            if started >= count_from:
                errors.append(f"{path}: {type(exc).__name__}")
            continue
        elapsed = time.perf_counter() - started
        if not keep:  # gunicorn's sync workers answer one request per connection
            conn[1].close()
            conn = None
        if started >= count_from:
            if status >= 400:
                errors.append(f"{path}: HTTP {status}")
            else:
                results.append((elapsed * 1000, size))
    if conn is not None:
        conn[1].close()


def run_load(base: str, paths: list[str], *, concurrency=50, duration=20.0, warmup=3.0) -> dict:
    """{requests, errors, error_examples, rps, p50_ms, p95_ms, p99_ms, max_ms, mean_bytes} of
    the requests made after the warm-up."""
    results: list[tuple[float, int]] = []
    errors: list[str] = []

    async def main():
        start = time.perf_counter()
        count_from, stop_at = start + warmup, start + warmup + duration
        await asyncio.gather(
            *(
                _reader(base, paths, stop_at, count_from, results, errors)
                for _ in range(concurrency)
            )
        )

    asyncio.run(main())
    times = sorted(ms for ms, _size in results)

    def pct(p):
        return times[min(len(times) - 1, int(len(times) * p / 100))] if times else None

    return {
        "requests": len(results),
        "errors": len(errors),
        "error_examples": errors[:5],
        "rps": len(results) / duration,
        "p50_ms": statistics.median(times) if times else None,
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": times[-1] if times else None,
        "mean_bytes": statistics.mean(s for _ms, s in results) if results else None,
    }

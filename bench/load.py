"""A small HTTP load generator, run as its own process so it never shares the server's interpreter.

Closed loop: ``--concurrency`` client processes, each with one connection kept alive while the
server allows it (gunicorn's sync workers close after every response, so those reconnect), each
sending the next request as soon as the last answer is read. Bounded in time (``--duration``,
after ``--warmup``). ``__UUID__`` in the body or URL becomes a fresh UUID on every request, so
writes with client-made ids are real writes, not idempotent replays. Prints one JSON object:
``{"requests", "errors", "statuses", "seconds", "rps", "p50_ms", "p95_ms", "p99_ms"}``.

    python bench/load.py --url http://127.0.0.1:8000/api/v1/me -H "Authorization: Bearer T" --duration 5
"""
import argparse
import json
import multiprocessing as mp
import socket
import statistics
import time
import uuid
from urllib.parse import urlsplit

PLACEHOLDER = b"__UUID__"


class Connection:
    """Just enough HTTP/1.1 for a benchmark client: cheap, so the client does not eat the CPU."""

    def __init__(self, host, port):
        self.addr = (host, port)
        self.sock = None
        self.buf = b""

    def _connect(self):
        self.sock = socket.create_connection(self.addr, timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None

    def _read_until(self, marker):
        while marker not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        head, self.buf = self.buf.split(marker, 1)
        return head

    def _read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buf)))
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def request(self, raw):
        """Send one request; returns (status, body). Reconnects once if a kept-alive socket died."""
        for attempt in (0, 1):
            fresh = self.sock is None
            if fresh:
                self._connect()
            try:
                self.sock.sendall(raw)
                head = self._read_until(b"\r\n\r\n").decode("latin-1")
                break
            except (ConnectionError, OSError):
                self.close()
                if fresh or attempt:
                    raise
        lines = head.split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            body = self._read_exact(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self._read_until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._read_until(b"\r\n")
                    break
                parts.append(self._read_exact(size))
                self._read_exact(2)
            body = b"".join(parts)
        else:  # body runs to the end of the connection
            chunks = [self.buf]
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
            body = b"".join(chunks)
            self.close()
        if headers.get("connection", "").lower() == "close" or lines[0].startswith("HTTP/1.0"):
            self.close()
        return status, body


def build_request(method, url, headers, body):
    parts = urlsplit(url)
    path = (parts.path or "/") + (("?" + parts.query) if parts.query else "")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.hostname}:{parts.port}", "Connection: keep-alive"]
    lines += headers
    if body is not None:
        lines.append("Content-Length: __LEN__")
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), body


def _worker(args, start_at, end_at, out):
    parts = urlsplit(args["url"])
    conn = Connection(parts.hostname, parts.port or 80)
    head, body = build_request(args["method"], args["url"], args["headers"], args["body"])
    dynamic = PLACEHOLDER in head or (body is not None and PLACEHOLDER in body)
    lat, statuses, errors = [], {}, 0
    while time.time() < start_at:
        time.sleep(0.001)
    while True:
        now = time.perf_counter()
        if time.time() >= end_at:
            break
        h, b = head, body
        if dynamic:
            u = uuid.uuid4().hex.encode()
            h, b = h.replace(PLACEHOLDER, u), (b.replace(PLACEHOLDER, u) if b is not None else None)
        if b is not None:
            h = h.replace(b"__LEN__", str(len(b)).encode())
        try:
            status, _ = conn.request(h + (b or b""))
        except (ConnectionError, OSError):
            errors += 1
            conn.close()
            continue
        elapsed = time.perf_counter() - now
        if time.time() >= args["measure_from"]:
            lat.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1
    conn.close()
    out.put((lat, statuses, errors))


def run(url, method="GET", headers=(), body=None, duration=5.0, warmup=1.0, concurrency=4):
    start_at = time.time() + 0.3
    args = {"url": url, "method": method, "headers": list(headers), "body": body,
            "measure_from": start_at + warmup}
    end_at = start_at + warmup + duration
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(args, start_at, end_at, out)) for _ in range(concurrency)]
    for p in procs:
        p.start()
    lat, statuses, errors = [], {}, 0
    for _ in procs:
        l_, s_, e_ = out.get(timeout=duration + warmup + 120)
        lat += l_
        errors += e_
        for k, v in s_.items():
            statuses[k] = statuses.get(k, 0) + v
    for p in procs:
        p.join()
    lat.sort()

    def pct(q):
        return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 2) if lat else None

    ok = sum(v for k, v in statuses.items() if 200 <= k < 400)
    return {"requests": len(lat), "ok": ok, "errors": errors, "statuses": statuses, "seconds": duration,
            "rps": round(ok / duration, 1), "p50_ms": round(statistics.median(lat) * 1000, 2) if lat else None,
            "p95_ms": pct(0.95), "p99_ms": pct(0.99)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--method", default="GET")
    ap.add_argument("-H", "--header", action="append", default=[])
    ap.add_argument("--body-file")
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--concurrency", type=int, default=4)
    a = ap.parse_args(argv)
    body = open(a.body_file, "rb").read() if a.body_file else None
    print(json.dumps(run(a.url, a.method, a.header, body, a.duration, a.warmup, a.concurrency)))


if __name__ == "__main__":
    main()

"""A weak phone signal on loopback: a TCP proxy on 127.0.0.1 that limits each connection's
bandwidth (up and down separately) and adds latency, so a benchmark can watch the real server
and a real client over "400 kbps up, 400 ms round trip" without touching any other traffic.

    python bench/throttle.py --target 127.0.0.1:8000 --up-kbps 400 --down-kbps 400 --rtt-ms 400

Each direction is a link of its own: bytes are read from the sender only as fast as the link
carries them (so the sender feels the slow link, as a phone's TCP stack does), and each piece
arrives half a round trip after it left. TLS passes through untouched.
"""
import argparse
import asyncio
import threading

PIECE = 1400  # about one TCP segment: a read never runs far ahead of the link


async def _link(reader, writer, bps, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def carry():
        free = loop.time()
        try:
            while True:
                data = await reader.read(PIECE)
                if not data:
                    break
                start = max(loop.time(), free)
                free = start + len(data) * 8 / bps
                await queue.put((free + delay, data))
                await asyncio.sleep(max(0.0, free - loop.time()))
        except (ConnectionError, OSError):
            pass
        await queue.put(None)

    async def deliver():
        try:
            while True:
                item = await queue.get()
                if item is None:
                    break
                at, data = item
                await asyncio.sleep(max(0.0, at - loop.time()))
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            writer.close()

    await asyncio.gather(carry(), deliver())


class Throttle:
    """``with Throttle(target_port, up_kbps=400, down_kbps=400, rtt_ms=400) as port:`` — a proxy
    on 127.0.0.1:port in a thread of its own, for the life of the block."""

    def __init__(self, target_port, up_kbps=400, down_kbps=400, rtt_ms=400, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.up = up_kbps * 1000
        self.down = down_kbps * 1000
        self.delay = rtt_ms / 2000
        self.port = None
        self._loop = None
        self._ready = threading.Event()
        self._thread = None
        self.connections = 0

    async def _handle(self, client_r, client_w):
        self.connections += 1
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(_link(client_r, server_w, self.up, self.delay),
                             _link(server_r, client_w, self.down, self.delay))
        for w in (client_w, server_w):
            w.close()

    def _run(self):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._server = server
        self._ready.set()
        self._loop.run_forever()
        server.close()
        pending = [t for t in asyncio.all_tasks(self._loop) if not t.done()]
        for t in pending:
            t.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self.port

    def __exit__(self, *exc):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", required=True, help="host:port of the server")
    ap.add_argument("--up-kbps", type=float, default=400)
    ap.add_argument("--down-kbps", type=float, default=400)
    ap.add_argument("--rtt-ms", type=float, default=400)
    a = ap.parse_args()
    host, port = a.target.rsplit(":", 1)
    with Throttle(int(port), a.up_kbps, a.down_kbps, a.rtt_ms, host) as listen:
        print(f"127.0.0.1:{listen} -> {a.target} ({a.up_kbps} kbps up, {a.down_kbps} kbps down, {a.rtt_ms} ms)")
        threading.Event().wait()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A loopback TCP proxy that can be frozen: bench/chaos.sh's network partition.

    freezeproxy.py UPSTREAM_HOST UPSTREAM_PORT PORT_FILE

Listens on 127.0.0.1 on a free port (written to PORT_FILE once it listens) and forwards every
connection to UPSTREAM. SIGUSR1 freezes it: nothing more is forwarded either way and new
connections are accepted but not connected upstream, yet every connection stays open (a stalled
link, not a refused one: neither side sees an error, its reads just wait). SIGUSR2 resumes it:
what was held is forwarded and new connections go through. SIGTERM ends it.
"""
import asyncio
import os
import signal
import sys


async def main() -> None:
    upstream_host, upstream_port, port_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    gate = asyncio.Event()
    gate.set()

    async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                await gate.wait()  # frozen: hold this chunk and read no more (TCP pushes back)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        await gate.wait()
        try:
            up_r, up_w = await asyncio.open_connection(upstream_host, upstream_port)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(pump(client_r, up_w), pump(up_r, client_w))

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, gate.clear)
    loop.add_signal_handler(signal.SIGUSR2, gate.set)
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(port_file + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.replace(port_file + ".tmp", port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())

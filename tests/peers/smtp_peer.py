#!/usr/bin/env python3
"""A real SMTP server for swn's tests and benchmarks, built on aiosmtpd (PyPI).

It accepts mail on 127.0.0.1:PORT and, when --store is given, writes each accepted message to its own file in
that folder, named by its order and the client's port (fsynced before the 250 reply, so a message the client saw accepted is on disk even if this process
is killed right after). It can also misbehave on purpose, for fault tests:

  --tempfail N     answer the first N DATA commands with 451 (a temporary refusal), then accept
  --reject TEXT    answer RCPT TO with 550 (a permanent refusal) for addresses containing TEXT
  --delay-ms MS    wait MS milliseconds before accepting each message (a slow server)
  --hang-after N   accept N messages, then never answer a DATA command again (a server stuck mid-send)

It prints "ready" once it listens, and runs until killed.
"""

import argparse
import asyncio
import os
import sys

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, args):
        self.args = args
        self.tempfails_left = args.tempfail
        self.seq = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.args.reject and self.args.reject in address:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.tempfails_left > 0:
            self.tempfails_left -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        if self.args.hang_after is not None and self.seq >= self.args.hang_after:
            await asyncio.Event().wait()
        if self.args.delay_ms:
            await asyncio.sleep(self.args.delay_ms / 1000.0)
        if self.args.store:
            self.seq += 1
            # The client's port tells one connection from another (a test counts them).
            client_port = session.peer[1] if session.peer else 0
            path = os.path.join(self.args.store, "%d-%07d-c%d.eml" % (os.getpid(), self.seq, client_port))
            with open(path + ".tmp", "wb") as f:
                f.write(envelope.original_content or envelope.content)
                f.flush()
                os.fsync(f.fileno())
            os.rename(path + ".tmp", path)
        return "250 OK: queued"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store")
    parser.add_argument("--tempfail", type=int, default=0)
    parser.add_argument("--reject", default="")
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--hang-after", type=int)
    args = parser.parse_args()
    if args.store:
        os.makedirs(args.store, exist_ok=True)
    handler = Handler(args)
    loop = asyncio.get_running_loop()
    # A fixed hostname: aiosmtpd would otherwise look up this machine's name, slow without a network.
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-peer.test", data_size_limit=10 * 1024 * 1024),
        host="127.0.0.1",
        port=args.port,
        reuse_address=True,
    )
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

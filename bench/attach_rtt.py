#!/usr/bin/env python3
"""bench/attach's client: GDB's side of the remote protocol, timing packet round trips.
usage: attach_rtt.py PORT ROUNDS -> one line "g MEDIAN_US P90_US m MEDIAN_US P90_US"
(after the handshake GDB does: qSupported, QStartNoAckMode, ?), each round one 'g' (every
register) and one 'm' of 64 bytes, each timed from the send to the reply's last byte."""
import socket
import sys
import time


def frame(d: bytes) -> bytes:
    return b"$" + d + b"#" + b"%02x" % (sum(d) & 0xFF)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.ack = True

    def reply(self):
        while True:
            i = self.buf.find(b"$")
            j = self.buf.find(b"#", i)
            if i >= 0 and j >= 0 and len(self.buf) >= j + 3:
                d = self.buf[i + 1 : j]
                self.buf = self.buf[j + 3 :]
                if self.ack:
                    self.s.sendall(b"+")
                if d.startswith(b"O") and d != b"OK":
                    continue
                return d
            chunk = self.s.recv(65536)
            if not chunk:
                raise SystemExit("attach_rtt: the server closed the connection")
            self.buf += chunk

    def ask(self, d: bytes) -> bytes:
        self.s.sendall(frame(d))
        return self.reply()


def main():
    port, rounds = int(sys.argv[1]), int(sys.argv[2])
    c = Conn(port)
    c.s.sendall(b"+")
    c.ask(b"qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;xmlRegisters=riscv")
    if c.ask(b"QStartNoAckMode") == b"OK":
        c.ack = False
    c.ask(b"?")
    times = {b"g": [], b"m80000000,40": []}
    for _ in range(rounds):
        for k in times:
            t0 = time.perf_counter_ns()
            r = c.ask(k)
            times[k].append(time.perf_counter_ns() - t0)
            if not r or r.startswith(b"E"):
                raise SystemExit("attach_rtt: %s answered %r" % (k, r[:20]))
    c.ask(b"D")
    out = []
    for k, v in times.items():
        v.sort()
        out.append("%s %.1f %.1f" % (k[:1].decode(), v[len(v) // 2] / 1e3, v[len(v) * 9 // 10] / 1e3))
    print(" ".join(out))


main()

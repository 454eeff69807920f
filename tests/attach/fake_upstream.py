#!/usr/bin/env python3
"""A misbehaving RSP upstream for tests/e2e/attach.sh: answers GDB's connection packets
normally, then breaks the protocol in one way (MODE) and closes:
  badsum    the 'g' reply has a bad checksum (acks are off: nothing resends it)
  oversize  the 'g' reply is 40000 bytes, more than strata's packet size
  cut       the 'g' reply stops in the middle, then the connection closes
  garbage   the 'g' reply is random bytes with '$', '#', '}' and '*' in them, then it closes
usage: fake_upstream.py PORT MODE"""
import random
import socket
import sys


def frame(data: bytes, good=True) -> bytes:
    s = sum(data) & 0xFF
    if not good:
        s ^= 0x5A
    return b"$" + data + b"#" + b"%02x" % s


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    c, _ = ls.accept()
    noack = False
    buf = b""
    handled = 0
    rng = random.Random(16)
    while True:
        d = c.recv(4096)
        if not d:
            return
        buf += d
        while True:
            start = buf.find(b"$")
            end = buf.find(b"#", start)
            if start < 0 or end < 0 or len(buf) < end + 3:
                break
            pkt = buf[start + 1 : end]
            buf = buf[end + 3 :]
            if not noack:
                c.sendall(b"+")
            handled += 1
            if pkt.startswith(b"qSupported"):
                reply = b"PacketSize=4000;QStartNoAckMode+"
            elif pkt == b"QStartNoAckMode":
                c.sendall(frame(b"OK"))
                noack = True
                continue
            elif pkt == b"?":
                reply = b"S05"
            elif pkt.startswith(b"H"):
                reply = b"OK"
            elif pkt == b"qfThreadInfo":
                reply = b"m1"
            elif pkt == b"qsThreadInfo":
                reply = b"l"
            elif pkt == b"qC":
                reply = b"QC1"
            elif pkt == b"qAttached":
                reply = b"1"
            elif pkt == b"g":
                if mode == "oversize":
                    c.sendall(frame(b"0" * 40000))
                    continue
                if mode == "cut":
                    c.sendall(b"$00000000000000001111")
                    c.close()
                    return
                if mode == "garbage":
                    junk = bytes(rng.choice(b"$#}*0123abcxyz\x03+-") for _ in range(3000))
                    c.sendall(junk)
                    c.close()
                    return
                if mode == "badsum":
                    c.sendall(frame(b"00" * 8 * 33, good=False))
                    continue
                reply = b"00" * 8 * 33
            else:
                reply = b""
            c.sendall(frame(reply))
            if handled > 60:
                c.close()
                return


main()

#!/usr/bin/env python3
"""rsp_client PORT — a hostile GDB: malformed, oversized and out-of-order packets against
`strata run --gdb`, each answered by an error (or ignored, as the protocol says) while the
session goes on; then Ctrl-C of a running guest, a detach, a reconnect and a kill.
Prints one line per check; exits 1 at the first failure."""
import socket
import sys
import time

PORT = int(sys.argv[1])


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def checksum(body):
    return "%02x" % (sum(body) & 0xFF)


class Conn:
    def __init__(self):
        deadline = time.time() + 10
        while True:
            try:
                self.s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
                break
            except OSError:
                if time.time() > deadline:
                    fail("cannot connect")
                time.sleep(0.1)
        self.buf = b""

    def send_raw(self, data):
        self.s.sendall(data)

    def send(self, body):
        if isinstance(body, str):
            body = body.encode()
        self.send_raw(b"$" + body + b"#" + checksum(body).encode())

    def read_byte(self):
        while not self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def packet(self):
        """The next packet's body (acks are skipped; O packets are console output)."""
        while True:
            b = self.read_byte()
            if b in (b"+", b"-"):
                continue
            if b != b"$":
                fail("unexpected byte %r" % b)
            body = b""
            while (b := self.read_byte()) != b"#":
                body += b
            csum = self.read_byte() + self.read_byte()
            if csum.decode() != checksum(body):
                fail("bad checksum from the stub")
            return body.decode(errors="replace")

    def ask(self, body):
        self.send(body)
        return self.packet()


def expect(what, reply, ok):
    if not ok(reply):
        fail("%s: unexpected reply %r" % (what, reply[:80]))
    print("ok %s" % what)


is_err = lambda r: len(r) == 3 and r[0] == "E"
empty = lambda r: r == ""

c = Conn()
c.send_raw(b"+")
expect("qSupported", c.ask("qSupported:swbreak+;hwbreak+"), lambda r: "PacketSize=" in r)
# a bad checksum is nak'ed and the packet dropped; the session goes on
c.send_raw(b"$g#00")
if c.read_byte() != b"-":
    fail("bad checksum: no nak")
print("ok bad checksum gets a nak")
expect("no-ack mode", c.ask("QStartNoAckMode"), lambda r: r == "OK")
expect("stop reason", c.ask("?"), lambda r: r.startswith("T05thread:1;"))
expect("oversized packet", c.ask("M80000000,4:" + "00" * 20000), lambda r: is_err(r))
expect("unknown packet", c.ask("vFooBar;1"), empty)
expect("m with bad hex", c.ask("mzz,4"), is_err)
expect("m without length", c.ask("m80000000"), is_err)
expect("M with short data", c.ask("M80200000,4:ab"), is_err)
expect("X with bad length", c.ask("X80200000,9:ab"), is_err)
expect("p of no register", c.ask("p99999"), is_err)
expect("P with no value", c.ask("P1="), is_err)
expect("Z of unknown type", c.ask("Z9,80200000,4"), lambda r: empty(r) or is_err(r))
expect("Z0 with bad kind", c.ask("Z0,80200000,3"), is_err)
expect("H of no thread", c.ask("Hg9"), is_err)
expect("T of no thread", c.ask("T0"), is_err)
expect("vCont with bad action", c.ask("vCont;q"), is_err)
expect("qXfer of an unknown object", c.ask("qXfer:osdata:read::0,100"), empty)
expect("qXfer with a bad offset", c.ask("qXfer:features:read:target.xml:zz,10"), is_err)
expect("empty packet", c.ask(""), empty)
expect("monitor of an unknown command", c.ask("qRcmd," + b"frobnicate".hex()),
       lambda r: r.startswith("O"))
if not is_err(c.packet()):
    fail("unknown monitor command: no error after its text")
expect("monitor help", c.ask("qRcmd," + b"help".hex()), lambda r: r.startswith("O"))
expect("monitor help ends OK", c.packet(), lambda r: r == "OK")
# binary junk between packets is ignored
c.send_raw(bytes(range(1, 32)).replace(b"\x03", b"") + b"}}}###")
expect("still answering after junk", c.ask("?"), lambda r: r.startswith("T05"))
regs = c.ask("g")
expect("g: 33 registers", regs, lambda r: len(r) >= 33 * 16 and all(ch in "0123456789abcdefx" for ch in r))

# Ctrl-C: the guest runs (U-Boot polls its console), 0x03 stops it with SIGINT
c.send("c")
time.sleep(0.5)
c.send_raw(b"\x03")
expect("Ctrl-C stops the guest", c.packet(), lambda r: r.startswith("T02thread:"))
pc1 = c.ask("p20")
expect("pc readable after Ctrl-C", pc1, lambda r: len(r) == 16)
le = lambda r: int.from_bytes(bytes.fromhex(r), "little")
instret1 = le(c.ask("p%x" % (65 + 0xB02)))
# a step moves one instruction
expect("step", c.ask("s"), lambda r: r.startswith("T05thread:1;"))
# out-of-order: a reply-less resume while running is not possible; a stray 0x03 while stopped
# is ignored
c.send_raw(b"\x03")
expect("stray Ctrl-C while stopped is ignored", c.ask("?"), lambda r: r.startswith("T05"))
expect("detach", c.ask("D"), lambda r: r == "OK")
c.s.close()
print("ok detached; the guest runs on")

# a new connection is accepted and halts the machine again
time.sleep(0.2)
c = Conn()
c.send_raw(b"+")
expect("reconnect: stop reason", c.ask("?"), lambda r: r.startswith("T05"))
expect("the guest ran while detached", c.ask("p%x" % (65 + 0xB02)),
       lambda r: len(r) == 16 and le(r) > instret1)
# a connection that dies without a word: the guest runs on and the stub listens again
c.s.close()
time.sleep(0.2)
c = Conn()
c.send_raw(b"+")
expect("after a dead connection: stop reason", c.ask("?"), lambda r: r.startswith("T05"))
c.send("k")
try:
    c.packet()
except EOFError:
    pass
print("ok kill")

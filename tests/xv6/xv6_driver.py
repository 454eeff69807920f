#!/usr/bin/env python3
"""xv6_driver — drive xv6's shell on an emulator's stdin/stdout, with a deadline per step.

usage: xv6_driver.py [--name N] [--boot-timeout S] [--timeout S] [--echo]
                     [--run CMD=TEXT]... -- EMULATOR ARGS...

Starts the emulator with pipes, waits for the shell's first prompt ("init: starting sh" then
"$ "), then for each --run types CMD and waits until TEXT appears and the next prompt follows
(--timeout seconds each). xv6 cannot power off, so the emulator is then ended with SIGTERM
(and SIGKILL if it does not go). Prints "PASS <name>: ..." or "FAIL <name>: ..." per step
and, for each command, the seconds it took ("TIME <name>: <cmd> <seconds>"). Exit status 0
when every step passed.
"""
import argparse
import os
import select
import signal
import subprocess
import sys
import time


class Console:
    def __init__(self, argv, echo):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self.buf = b""
        self.pos = 0
        self.echo = echo

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.proc.stdout], [], [], min(left, 0.5))
        if r:
            data = os.read(self.proc.stdout.fileno(), 65536)
            if not data:
                return None
            self.buf += data
            if self.echo:
                sys.stdout.write(data.decode("utf-8", "replace"))
                sys.stdout.flush()
        return True

    def wait_for(self, text, timeout):
        """Output up to and including text (after what earlier waits consumed), or None."""
        deadline = time.monotonic() + timeout
        needle = text.encode()
        while True:
            i = self.buf.find(needle, self.pos)
            if i >= 0:
                out = self.buf[self.pos:i + len(needle)]
                self.pos = i + len(needle)
                return out.decode("utf-8", "replace")
            r = self._read(deadline)
            if r is None or (r is False and time.monotonic() >= deadline):
                return None

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tail(self, n=600):
        return self.buf[-n:].decode("utf-8", "replace").replace("\n", "\\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="xv6")
    ap.add_argument("--boot-timeout", type=float, default=120)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--echo", action="store_true")
    ap.add_argument("--run", action="append", default=[], metavar="CMD=TEXT")
    ap.add_argument("argv", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    argv = a.argv[1:] if a.argv and a.argv[0] == "--" else a.argv
    if not argv:
        ap.error("no emulator command after --")
    con = Console(argv, a.echo)
    ok = True
    try:
        t0 = time.monotonic()
        if con.wait_for("init: starting sh", a.boot_timeout) is None or \
                con.wait_for("$ ", a.boot_timeout) is None:
            print("FAIL %s: no shell prompt within %gs; output: %s" %
                  (a.name, a.boot_timeout, con.tail()))
            return 1
        print("PASS %s: booted to the shell prompt" % a.name)
        print("TIME %s: boot %.1f" % (a.name, time.monotonic() - t0))
        for spec in a.run:
            cmd, _, text = spec.partition("=")
            t0 = time.monotonic()
            con.send(cmd)
            out = con.wait_for(text, a.timeout)
            if out is None or con.wait_for("$ ", a.timeout) is None:
                print("FAIL %s: '%s' did not print '%s' within %gs; output: %s" %
                      (a.name, cmd, text, a.timeout, con.tail()))
                ok = False
                break
            print("PASS %s: '%s' printed '%s'" % (a.name, cmd, text))
            print("TIME %s: %s %.1f" % (a.name, cmd, time.monotonic() - t0))
    finally:
        con.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

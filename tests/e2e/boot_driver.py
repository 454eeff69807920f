#!/usr/bin/env python3
"""boot_driver — drive a U-Boot console on an emulator's stdin/stdout.

usage: boot_driver.py [--timeout S] [--cmd CMD]... [--expect CMD=TEXT]... [--echo]
                      [--no-poweroff] -- EMULATOR ARGS...

Starts the emulator with pipes, waits for "Hit any key to stop autoboot", sends a key, waits
for the "=>" prompt, runs each --cmd (waiting for the next prompt), then sends "poweroff" and
waits for the emulator to exit (killing it if it does not). Every wait has a deadline
(--timeout, per step), so it never hangs.

Prints one PASS/FAIL line per step, prefixed by --name: "PASS <name>: autoboot stopped",
"PASS <name>: version contains 'U-Boot 2023.01'", ... With --echo the console output is copied
to stdout as it arrives (for scripts/demo). Exit status 0 when every step passed.
"""
import argparse
import os
import select
import subprocess
import sys
import time


class Console:
    def __init__(self, argv, echo):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self.buf = b""
        self.pos = 0  # output before pos has been consumed by a wait
        self.echo = echo

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.proc.stdout], [], [], min(left, 0.2))
        if r:
            data = os.read(self.proc.stdout.fileno(), 65536)
            if not data:
                return None  # EOF
            self.buf += data
            if self.echo:
                sys.stdout.write(data.decode("utf-8", "replace"))
                sys.stdout.flush()
        return True

    def wait_for(self, text, timeout):
        """Wait until text appears after pos; return the output up to and including it."""
        deadline = time.monotonic() + timeout
        needle = text.encode()
        while True:
            i = self.buf.find(needle, self.pos)
            if i >= 0:
                out = self.buf[self.pos:i + len(needle)]
                self.pos = i + len(needle)
                return out.decode("utf-8", "replace")
            r = self._read(deadline)
            if r is None or r is False and time.monotonic() >= deadline:
                return None

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if self._read(deadline) is None:
                break
        try:
            return self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def tail(self, n=600):
        return self.buf[-n:].decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="boot")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--cmd", action="append", default=[])
    ap.add_argument("--expect", action="append", default=[],
                    help="CMD=TEXT: the output of CMD must contain TEXT")
    ap.add_argument("--echo", action="store_true")
    ap.add_argument("--no-poweroff", action="store_true")
    ap.add_argument("argv", nargs="+")
    a = ap.parse_args()
    expects = {}
    for e in a.expect:
        cmd, _, text = e.partition("=")
        expects.setdefault(cmd, []).append(text)

    failed = 0

    def result(ok, what, detail=""):
        nonlocal failed
        if ok:
            print(f"PASS {a.name}: {what}", flush=True)
        else:
            failed += 1
            print(f"FAIL {a.name}: {what}{': ' + detail if detail else ''}", flush=True)

    try:
        con = Console(a.argv, a.echo)
    except OSError as e:
        print(f"FAIL {a.name}: cannot start {a.argv[0]}: {e}")
        return 1
    try:
        out = con.wait_for("Hit any key to stop autoboot", a.timeout)
        if out is None:
            result(False, "reached 'Hit any key to stop autoboot'",
                   "not seen; status %s; last output: %r" % (con.proc.poll(), con.tail()))
            return 1
        con.send(" ")
        out = con.wait_for("=> ", a.timeout)
        result(out is not None, "autoboot stopped at the => prompt",
               "" if out is not None else "no prompt; last output: %r" % con.tail())
        if out is None:
            return 1
        for cmd in a.cmd:
            con.send(cmd + "\n")
            out = con.wait_for("=> ", a.timeout)
            if out is None:
                result(False, f"'{cmd}' returned to the prompt", "last output: %r" % con.tail())
                return 1
            for text in expects.get(cmd, []):
                result(text in out, f"'{cmd}' output contains '{text}'", "got %r" % out)
        if a.no_poweroff:
            return 1 if failed else 0
        con.send("poweroff\n")
        status = con.wait_exit(a.timeout)
        result(status == 0, "poweroff ends the run with status 0",
               "status %s; last output: %r" % (status, con.tail()))
        return 1 if failed else 0
    finally:
        con.kill()


if __name__ == "__main__":
    sys.exit(main())

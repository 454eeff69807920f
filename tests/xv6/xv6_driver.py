#!/usr/bin/env python3
"""xv6_driver — drive xv6's shell on an emulator's stdin/stdout, with a deadline per step.

usage: xv6_driver.py [--name N] [--boot-timeout S] [--timeout S] [--echo]
                     [--run CMD=TEXT]... -- EMULATOR ARGS...

Starts the emulator with pipes, waits for the shell's first prompt ("init: starting sh" then
"$ "), then for each --run types CMD and waits until TEXT appears and the next prompt follows
(--timeout seconds each). xv6 cannot power off, so the emulator is then ended with SIGTERM
(and SIGKILL if it does not go). Prints "PASS <name>: ..." or "FAIL <name>: ..." per step,
for each command the seconds it took ("TIME <name>: <cmd> <seconds>"), and at the end the
emulator's CPU time ("CPU <name>: ..."). Exit status 0 when every step passed.
"""
import argparse
import os
import resource
import signal
import subprocess
import sys
import time


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from boot_driver import Console as BootConsole  # noqa: E402  (pipes, deadlines, waits)


class Console(BootConsole):
    def send(self, line):
        BootConsole.send(self, line + "\n")

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
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when redirected to a file
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
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        print("CPU %s: emulator user %.1f s, sys %.1f s" % (a.name, ru.ru_utime, ru.ru_stime))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

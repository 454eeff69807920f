#!/usr/bin/env python3
"""console_driver — drive an emulator's serial console: send lines, wait for answers.

usage: console_driver.py --name NAME [--timeout S] [--step 'SEND=>EXPECT']... -- EMULATOR ARGS...

Starts the emulator with pipes. Each --step sends SEND (with a carriage return; empty SEND sends
nothing) and waits until EXPECT appears in the output that followed the previous step, then
prints "PASS NAME: EXPECT" with the seconds it took, or "FAIL NAME: EXPECT: ..." with the
output's tail and stops. Every wait has a deadline (--timeout, per step), so it never hangs;
the emulator is killed at the end. Exit status 0 when every step passed.
"""
import argparse
import os
import select
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--step", action="append", default=[])
    ap.add_argument("argv", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    argv = a.argv[1:] if a.argv and a.argv[0] == "--" else a.argv
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, bufsize=0)
    buf, pos, ok = b"", 0, True
    try:
        for step in a.step:
            send, _, expect = step.partition("=>")
            t0 = time.monotonic()
            if send:
                # one character at a time: the guest's UART FIFO is 16 bytes deep
                for ch in (send + "\r").encode():
                    proc.stdin.write(bytes([ch]))
                    proc.stdin.flush()
                    time.sleep(0.002)
            deadline = t0 + a.timeout
            while expect.encode() not in buf[pos:]:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                r, _, _ = select.select([proc.stdout], [], [], min(left, 0.2))
                if r:
                    data = os.read(proc.stdout.fileno(), 65536)
                    if not data:
                        break
                    buf += data
            i = buf.find(expect.encode(), pos)
            if i < 0:
                tail = buf[-300:].decode(errors="replace").replace("\n", "\\n")
                print("FAIL %s: %r after %r: not seen in %.0f s (exit %s); output tail: %s" %
                      (a.name, expect, send, time.monotonic() - t0, proc.poll(), tail))
                ok = False
                break
            pos = i + len(expect)
            print("PASS %s: %r after %r (%.3f s)" % (a.name, expect, send, time.monotonic() - t0))
            sys.stdout.flush()
    finally:
        proc.kill()
        proc.wait()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

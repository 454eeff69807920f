#!/bin/bash
# e2e/replay_async — async conditions under reverse execution (docs/GDB.md "Async breakpoints",
# docs/REPLAY.md): gdb-multiarch against `strata run --trace=async --gdb -S` on
# tests/guests/rust/bugs.rs at opt-level 0-3 (tests/gdb/async_reverse.gdb): forward to task 1's
# 120th poll, then reverse-continue to the last event before the current point on which
# `break-on polls 100`, `wake 1`, `pending lost` holds, each stop with the task's await tree as
# it was then (the same notes and source lines as the forward stops in tests/golden/gdb/async.out),
# and `poll 1` (task 1 is polled only after task 0's first Pending) back to the start; then
# `continue` forward to `polls 100` (a stretch run before: found in the stub's event log) and to
# `polls 130` (past the furthest point: the live events);
# tests/gdb/async_reverse_lost.gdb: with `lost-wake` and `polls 110` in force, back to the
# later (poll 110), then with `lost-wake` alone to task 0's Pending that touched no waker.
# GDB's lines about the stops must equal tests/golden/replay/SCRIPT.out (O1-O3) and
# SCRIPT-O0.out (O0: Forgetful's poll is a call of its own). STRATA_UPDATE_GOLDEN=1 rewrites
# them.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
golden=$root/tests/golden/replay
g=$root/tests/guests/rust/build
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

suite=replay_async
keep='No more reverse'
. "$root/tests/gdb/async_case.sh"

if ! command -v gdb-multiarch >/dev/null; then
	echo "FAIL replay_async: gdb-multiarch missing (scripts/install-deps)"
	exit 1
fi
for o in 0 1 2 3; do
	elf=$g/bugs-O$o.elf
	if [ ! -f "$elf" ]; then
		echo "FAIL replay_async/O$o: $elf missing (make guests)"
		continue
	fi
	for s in async_reverse async_reverse_lost; do
		case_ "$s-O$o" $s "$elf" --trace=async --trace-out "$work/$s-O$o.trace"
	done
done

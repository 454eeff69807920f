#!/bin/bash
# e2e/gdb_async — async breakpoints (docs/GDB.md "Async breakpoints"): gdb-multiarch against
# `strata run --trace=async --gdb -S` on tests/guests/rust/bugs.rs at opt-level 0-3:
#   async:       break-on pending lost (task 0's poll, lost() Pending), poll 1 (task 1's first
#                poll), wake 1 (its self-wake), polls 100 (its 100th poll), ready busy (its
#                151st poll); bad arguments, one line each
#   async_lost:  break-on lost-wake (task 0: Pending, its waker neither cloned nor woken), then
#                poll async_block#2 (task 2's first poll, by name)
#   async_notrace: without --trace=async the conditions are refused with one line
# GDB's lines about the stops (the stop notes with the task's await tree, the source line
# GDB stops at, `break on:`, the messages; not the pc or arguments, which differ between builds) must equal
# tests/golden/gdb/NAME.out, the same at O1, O2 and O3 (the numbers are the program's by
# construction), NAME-O0.out at O0 (Forgetful's poll is not inlined: one more await-tree line).
# STRATA_UPDATE_GOLDEN=1 rewrites the goldens (the last run of each wins).
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
golden=$root/tests/golden/gdb
g=$root/tests/guests/rust/build
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

suite=gdb_async
keep='usage:\|monitor break-on'
. "$root/tests/gdb/async_case.sh"

if ! command -v gdb-multiarch >/dev/null; then
	echo "FAIL gdb_async: gdb-multiarch missing (scripts/install-deps)"
	exit 1
fi
for o in 0 1 2 3; do
	elf=$g/bugs-O$o.elf
	if [ ! -f "$elf" ]; then
		echo "FAIL gdb_async/O$o: $elf missing (make guests)"
		continue
	fi
	for s in async async_lost; do
		case_ "$s-O$o" "$s" "$elf" --trace=async --trace-out "$work/$s-O$o.trace"
	done
done
case_ async_notrace-O2 async_notrace "$g/bugs-O2.elf"

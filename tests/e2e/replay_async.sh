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

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# case NAME SCRIPT ELF STRATA-ARGS... (as e2e/gdb_async)
case_() {
	local name=$1 script=$2 elf=$3 port out=$work/$1.out
	shift 3
	port=$(free_port)
	"$strata" run -bios none -kernel "$elf" "$@" --gdb "127.0.0.1:$port" -S \
		>"$work/$name.guest" 2>"$work/$name.err" </dev/null &
	local pid=$!
	for _ in $(seq 50); do grep -q listening "$work/$name.err" && break; sleep 0.1; done
	timeout 120 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex 'set width 0' -ex "file $elf" -ex "target remote 127.0.0.1:$port" \
		-x "$root/tests/gdb/$script.gdb" >"$out.raw" 2>&1
	local gs=$?
	wait $pid
	sed -n -e 's|^.* at \([^ ]*/\)\{0,1\}rust/\([a-z]*\.rs:[0-9]*\)$|  stopped in \2|p' \
		-e '/^\(strata: hart\|await tree\|  \|break on:\|No more reverse\|\[Inferior\)/p' \
		"$out.raw" |
		sed 's/^  stopped in executor\.rs:34$/  stopped in executor.rs:28/' >"$out"
	echo "gdb exit $gs" >>"$out"
	local gold=$golden/$script.out
	case $name in *-O0) gold=$golden/$script-O0.out ;; esac
	if [ "${STRATA_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$out" "$gold" && echo "UPDATED replay_async/$name"
	elif cmp -s "$out" "$gold"; then
		echo "PASS replay_async/$name"
	else
		echo "FAIL replay_async/$name"
		diff "$gold" "$out" | head -n 20 | sed 's/^/  | /'
		tail -n 3 "$work/$name.err" | sed 's/^/  | strata: /'
	fi
}

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

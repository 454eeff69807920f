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

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# case NAME SCRIPT ELF STRATA-ARGS...
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
	# where GDB shows the stop: source file and line only (arguments differ between builds; the
	# guests are cached, so the path is that of whichever checkout built them first)
	sed -n -e 's|^.* at \([^ ]*/\)\{0,1\}rust/\([a-z]*\.rs:[0-9]*\)$|  stopped in \2|p' \
		-e '/^\(strata: hart\|await tree\|  \|break on:\|usage:\|monitor break-on\|\[Inferior\)/p' \
		"$out.raw" |
		# wake_by_ref's body (executor.rs:34) is wake's (:28); O2-O3 fold the two into one
		sed 's/^  stopped in executor\.rs:34$/  stopped in executor.rs:28/' >"$out"
	echo "gdb exit $gs" >>"$out"
	# at O0 Forgetful's poll is a call of its own, in the await tree; inlined at O1-O3
	local gold=$golden/$script.out
	case $name in *-O0) gold=$golden/$script-O0.out ;; esac
	if [ "${STRATA_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$out" "$gold" && echo "UPDATED gdb_async/$name"
	elif cmp -s "$out" "$gold"; then
		echo "PASS gdb_async/$name"
	else
		echo "FAIL gdb_async/$name"
		diff "$gold" "$out" | head -n 20 | sed 's/^/  | /'
		tail -n 3 "$work/$name.err" | sed 's/^/  | strata: /'
	fi
}

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

#!/bin/bash
# e2e/replay_gdb — reverse execution in GDB (docs/REPLAY.md): gdb-multiarch runs
# tests/gdb/reverse.gdb (reverse-continue to a watchpoint and to a breakpoint, reverse-stepi
# across a U->S syscall and an S->M->S SBI call, reverse-finish/next, monitor when/goto, the
# start of history) against a live run and against `strata replay DIR --gdb` of the same run;
# GDB's output must equal tests/golden/replay/NAME.out (STRATA_UPDATE_GOLDEN=1 rewrites it).
# Reverse execution refuses clearly where it cannot work (-smp 2).
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
golden=$root/tests/golden/replay
g=$root/tests/guests/gdb/build
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# case NAME SCRIPT -- STRATA-ARGS (a run or replay command): GDB runs SCRIPT against it (-S).
case_() {
	local name=$1 script=$2 port out=$work/$1.out
	shift 3
	port=$(free_port)
	"$strata" "$@" --gdb "127.0.0.1:$port" -S >"$work/$name.guest" 2>"$work/$name.err" </dev/null &
	local pid=$!
	for _ in $(seq 50); do grep -q listening "$work/$name.err" && break; sleep 0.1; done
	timeout 120 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex 'set width 0' -ex "target remote 127.0.0.1:$port" \
		-x "$root/tests/gdb/$script.gdb" >"$out.raw" 2>&1
	local gs=$?
	wait $pid
	local ss=$?
	sed -e "s|$root/||g" -e '/does not support file transfer/d' "$out.raw" >"$out"
	echo "gdb exit $gs, strata exit $ss" >>"$out"
	if [ "${STRATA_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$out" "$golden/$name.out" && echo "UPDATED replay_gdb/$name"
	elif cmp -s "$out" "$golden/$name.out"; then
		echo "PASS replay_gdb/$name"
	else
		echo "FAIL replay_gdb/$name"
		diff "$golden/$name.out" "$out" | head -n 30 | sed 's/^/  | /'
		tail -n 5 "$work/$name.err" | sed 's/^/  | strata: /'
	fi
}

if ! command -v gdb-multiarch >/dev/null; then
	echo "FAIL replay_gdb: gdb-multiarch missing (scripts/install-deps)"
	exit 1
fi
mkdir -p "$golden"
args=(-bios "$g/fw.elf" -kernel "$g/kernel.elf" --sym "$g/prog.elf@u")
# small snapshot distance: several snapshots and RAM deltas in this short run
case_ live reverse -- run "${args[@]}" --snapshot-every 2000
# the same on a replay: the recorded run, then the replay under GDB (default distance)
"$strata" run -bios "$g/fw.elf" -kernel "$g/kernel.elf" --record "$work/rec" >/dev/null 2>&1 </dev/null
(cd "$work" && case_ replay reverse -- replay "$work/rec" --sym "$g/prog.elf@u" --snapshot-every 3000)
# the replay's GDB session must see what the live one saw
# (the snapshot lines differ: another distance, and the replay keeps its input cursors too)
grep -v 'snapshots from' "$work/live.out" >"$work/live.cmp"
grep -v 'snapshots from' "$work/replay.out" >"$work/replay.cmp"
if cmp -s "$work/live.cmp" "$work/replay.cmp"; then
	echo "PASS replay_gdb/replay-equals-live"
else
	echo "FAIL replay_gdb/replay-equals-live: $(diff "$work/live.cmp" "$work/replay.cmp" | head -5)"
fi

# refused where it cannot work: one line from GDB, the session goes on
port=$(free_port)
"$strata" run -smp 2 "${args[@]}" --gdb "127.0.0.1:$port" -S >/dev/null 2>"$work/smp.err" </dev/null &
for _ in $(seq 50); do grep -q listening "$work/smp.err" && break; sleep 0.1; done
timeout 60 gdb-multiarch -batch -nx -ex "target remote 127.0.0.1:$port" -ex 'break main' \
	-ex continue -ex reverse-stepi -ex 'p 1+1' -ex kill >"$work/smp.out" 2>&1
wait
if grep -q 'needs -smp 1' "$work/smp.err" && grep -q '^\$1 = 2' "$work/smp.out"; then
	echo "PASS replay_gdb/smp2-refused"
else
	echo "FAIL replay_gdb/smp2-refused: $(tail -3 "$work/smp.err") / $(tail -3 "$work/smp.out")"
fi
exit 0

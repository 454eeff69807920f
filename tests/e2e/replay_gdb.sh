#!/bin/bash
# e2e/replay_gdb — reverse execution in GDB (docs/REPLAY.md): gdb-multiarch runs
# tests/gdb/reverse.gdb (reverse-continue to a watchpoint and to a breakpoint, reverse-stepi
# across a U->S syscall and an S->M->S SBI call, reverse-finish/next, monitor when/goto, the
# start of history) against a live run and against `strata replay DIR --gdb` of the same run;
# GDB's output must equal tests/golden/replay/NAME.out (STRATA_UPDATE_GOLDEN=1 rewrites it).
# With -smp 2 too (tests/golden/replay/smp2.out). tests/gdb/reverse_levels.gdb: reverse-step,
# reverse-finish and reverse-continue across a U->S syscall and S->M->S SBI calls (levels.out).
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

# The snapshots' size (`monitor when`: "N snapshots from instruction I, K KiB") is left out of
# the golden (it grows with struct hart and depends on the host's page mapping) and checked here
# instead: every figure more than 0 KiB, at most N copies of the 128 MiB RAM plus 1 MiB of CPU and
# device state each, and never smaller with more snapshots.
snap_sizes() {
	local bad
	bad=$(sed -n 's/^\([0-9]*\) snapshots from instruction [0-9]*, \([0-9]*\) KiB$/\1 \2/p' "$2" |
		awk 'BEGIN { pn = 0; pk = 0; lines = 0 }
		{ lines++; n = $1; k = $2
		  if (k <= 0 || k > n * (128 * 1024 + 1024)) { print "snapshots " n ": " k " KiB out of range"; exit }
		  if (n > pn && k < pk) { print n " snapshots: " k " KiB < " pk " KiB with " pn; exit }
		  if (n > pn) { pn = n; pk = k } }
		END { if (!lines) print "no snapshot size reported" }')
	if [ -z "$bad" ]; then
		echo "PASS replay_gdb/$1-snapshot-size"
	else
		echo "FAIL replay_gdb/$1-snapshot-size: $bad"
	fi
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
	# the snapshots' size depends on which RAM pages the host kernel maps (huge pages)
	sed -e "s|$root/||g" -e '/does not support file transfer/d' \
		-e 's/^\([0-9]* snapshots from instruction [0-9]*\), [0-9]* KiB$/\1, N KiB/' \
		"$out.raw" >"$out"
	echo "gdb exit $gs, strata exit $ss" >>"$out"
	snap_sizes "$name" "$out.raw"
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

# every reverse command across a U->S syscall and S->M->S SBI calls (tests/gdb/reverse_levels.gdb)
case_ levels reverse_levels -- run "${args[@]}" --snapshot-every 2000
# several harts: the same script with -smp 2 (the harts interleave as without the debugger)
case_ smp2 reverse -- run -smp 2 "${args[@]}" --snapshot-every 2000
exit 0

#!/bin/bash
# e2e/replay_snapshots — snapshots stored in the recording (docs/REPLAY.md "Stored
# snapshots"): a 2.2·10^9-instruction run (bench/guest's bench.elf) recorded with a snapshot
# every 10^8 instructions; its replay under GDB goes to instruction 2.15·10^9 from the stored
# snapshot at 2.1·10^9 (the instructions it executed, `monitor snapshots`, are exactly the 5·10^7
# after it, not 2.15·10^9), steps back one instruction from there, goes back to 7·10^8 and forward
# again without running from 0; at each point the registers and the guest's RAM are those of a
# replay of the same recording without its snapshots, which runs from 0. The replay without GDB
# still ends as recorded.
# tests/run: not-sanitizer (two replays of 2·10^9 instructions; the parsers are fuzzed in
# unit/replay/rrfile_fuzz_test under the sanitizers, the restore path in unit/replay/snapstore_test)
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
elf=$root/bench/guest/build/bench.elf
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

pass() { echo "PASS replay_snapshots/$1"; }
fail() { echo "FAIL replay_snapshots/$1: $2"; }

[ -f "$elf" ] || { fail "guest" "$elf not built (make guests)"; exit 1; }
command -v gdb-multiarch >/dev/null || { fail "gdb" "gdb-multiarch missing"; exit 1; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

timeout 300 "$strata" run -bios none -kernel "$elf" --record "$work/rec" --snapshot-every 100M \
	>"$work/rec.out" 2>"$work/rec.err"
s=$?
n=$(grep -c '^snap ' "$work/rec/manifest")
end=$(sed -n 's/^end guest 0 \([0-9]*\)$/\1/p' "$work/rec/manifest")
if [ $s = 0 ] && [ "$n" = 23 ] && [ -n "$end" ] && grep -q '^snap 2100000000 ' "$work/rec/manifest"; then
	pass "recording has $n stored snapshots, one every 10^8 instructions up to $end"
else
	fail "record" "status $s, $n snapshots: $(tail -3 "$work/rec.err")"
fi
# the same recording without its snapshots: a replay runs from 0
mkdir "$work/rec0"
cp "$work/rec/input.log" "$work/rec0/"
grep -v '^snap ' "$work/rec/manifest" >"$work/rec0/manifest"

# session DIR TAG: replay DIR under GDB; at each point the registers, the guest's RAM (its
# image and data: 0x80000000..+1 MiB) and the instructions this process executed so far
session() {
	local port pid i=0
	port=$(free_port)
	"$strata" replay "$1" --gdb "127.0.0.1:$port" -S >"$work/$2.out" 2>"$work/$2.err" </dev/null &
	pid=$!
	for _ in $(seq 50); do grep -q listening "$work/$2.err" && break; sleep 0.1; done
	{
		echo "set remotetimeout 600"
		echo "file $elf"
		echo "target remote 127.0.0.1:$port"
		for step in "monitor goto 2150000000" reverse-stepi "monitor goto 700000000" \
			"monitor goto 2000000123"; do
			echo "$step"
			echo "maint flush register-cache"
			echo "echo @@ $step\\n"
			echo "monitor when"
			echo "monitor snapshots"
			echo "info registers"
			echo "dump binary memory $work/$2.$((++i)).ram 0x80000000 0x80100000"
		done
		echo kill
	} >"$work/$2.gdb"
	timeout 600 gdb-multiarch -batch -nx -x "$work/$2.gdb" >"$work/$2.gout" 2>&1
	wait $pid
}
session "$work/rec" s
session "$work/rec0" z

# executed instructions after each step, from `monitor snapshots`
mapfile -t ex < <(sed -n 's/^instructions executed by this process: //p' "$work/s.gout")
mapfile -t ez < <(sed -n 's/^instructions executed by this process: //p' "$work/z.gout")
if [ "${#ex[@]}" = 4 ] && [ "${ex[0]}" = 50000000 ]; then
	pass "goto 2150000000 ran 50000000 instructions from the stored snapshot at 2100000000"
else
	fail "goto far" "executed: ${ex[*]} (from 0: ${ez[*]}) $(tail -2 "$work/s.err")"
fi
if [ "${#ex[@]}" = 4 ] && [ $((ex[1] - ex[0])) -le 50000000 ]; then
	pass "reverse-stepi there ran $((ex[1] - ex[0])) instructions (from a snapshot taken after the jump)"
else
	fail "reverse-stepi" "executed: ${ex[*]}"
fi
if [ "${#ex[@]}" = 4 ] && [ "${ex[2]}" = "${ex[1]}" ] && [ $((ex[3] - ex[2])) = 123 ]; then
	pass "goto 700000000 back and 2000000123 forward: both from stored snapshots (0 and 123 instructions)"
else
	fail "goto back and forward" "executed: ${ex[*]}"
fi
if [ "${#ez[@]}" = 4 ] && [ "${ez[0]}" = 2150000000 ]; then
	pass "without stored snapshots the same goto runs from 0 (${ez[0]} instructions)"
else
	fail "from 0" "executed: ${ez[*]} $(tail -2 "$work/z.err")"
fi
# the same machine at every point
strip() { grep -v '^instructions executed\|in memory, from\|snapshots from\|^warning\|^at instruction' "$1"; }
if cmp -s <(strip "$work/s.gout") <(strip "$work/z.gout") && [ "$(grep -c '^@@' "$work/s.gout")" = 4 ] &&
	grep -q '^pc  *0x8' "$work/s.gout"; then
	pass "registers and instruction counts as in the replay from 0, at all 4 points"
else
	fail "registers" "$(diff <(strip "$work/s.gout") <(strip "$work/z.gout") | head -5)"
fi
ok=1
for i in 1 2 3 4; do
	cmp -s "$work/s.$i.ram" "$work/z.$i.ram" && [ -s "$work/s.$i.ram" ] || ok=0
done
[ $ok = 1 ] && pass "RAM (1 MiB of image, data and stack) as in the replay from 0, at all 4 points" ||
	fail "RAM" "differs at some point: $(ls -l "$work"/*.ram | awk '{print $5, $9}' | tr '\n' ' ')"

timeout 300 "$strata" replay "$work/rec" >"$work/p.out" 2>"$work/p.err"
s=$?
[ $s = 0 ] && cmp -s "$work/rec.out" "$work/p.out" && pass "the replay without GDB ends as recorded" ||
	fail "replay" "status $s: $(tail -2 "$work/p.err")"
exit 0

#!/bin/bash
# e2e/replay_reverse — reverse execution where it used to be refused (docs/REPLAY.md): a live
# run after typed console input, with a writable drive and --realtime, recorded while GDB goes
# back and forth: `strata replay` of that recording (no debugger) must print the same bytes and
# end at the same instruction, so the stretches run again saw what the host gave the first time
# and the disk as it was. A replay under GDB going back over a disk write ends as recorded. A
# traced run under GDB that goes back writes the same trace (`strata dump`) and prints the same
# bytes as the run without GDB: what runs again is traced and printed once; also with 2 harts
# and on the H guests (VS/VU, two-stage translation).
# tests/run: not-sanitizer (xv6 runs of 10^9 instructions under GDB)
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
g=$root/tests/guests/gdb/build
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

pass() { echo "PASS replay_reverse/$1"; }
fail() { echo "FAIL replay_reverse/$1: $2"; }
same() { # name, file1, file2
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(cmp "$2" "$3" 2>&1 | head -1)"; fi
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# gdb_run NAME SCRIPT INPUT-CMD -- STRATA-ARGS: strata under GDB (-S) running SCRIPT, stdin from
# INPUT-CMD; GDB's output in NAME.gout, strata's in NAME.out / NAME.err, its status in NAME.rc
gdb_run() {
	local name=$1 script=$2 input=$3 port
	shift 4
	port=$(free_port)
	(bash -c "$input" | "$strata" "$@" --gdb "127.0.0.1:$port" -S >"$work/$name.out" \
		2>"$work/$name.err"; echo $? >"$work/$name.rc") &
	local pid=$!
	for _ in $(seq 100); do grep -q listening "$work/$name.err" 2>/dev/null && break; sleep 0.1; done
	timeout 600 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex 'set remotetimeout 600' -ex "target remote 127.0.0.1:$port" -x "$script" \
		>"$work/$name.gout" 2>&1
	wait $pid
}

if ! command -v gdb-multiarch >/dev/null; then
	echo "FAIL replay_reverse: gdb-multiarch missing (scripts/install-deps)"
	exit 1
fi
if ! x=$("$root/scripts/xv6/build.sh" -q 2>&1); then
	echo "FAIL replay_reverse/xv6-build: $x"
	exit 1
fi

# 1. live, typed input, writable drive, recorded: back over the input and the disk write
cat >"$work/live.gdb" <<'G'
break consoleintr
continue
delete
break sys_write
continue
continue
reverse-continue
reverse-continue
reverse-stepi
delete
break sys_unlink
continue
delete
monitor when
reverse-stepi
continue
G
cp "$x/fs.img" "$work/fs1.img"
(cd "$x" && gdb_run live "$work/live.gdb" \
	"sleep 2; printf 'echo recorded > f\n'; sleep 1; printf 'cat f\nls f\nrm f\nls f\n'; sleep 60" \
	-- run -bios none -kernel kernel/kernel -m 128M -drive file="$work/fs1.img" \
	--max-insns 1500M --record "$work/rec1")
if grep -q 'Breakpoint 1, consoleintr' "$work/live.gout" &&
	[ "$(grep -c 'Breakpoint 2, sys_write' "$work/live.gout")" = 3 ] &&
	grep -q 'No more reverse-execution history' "$work/live.gout" &&
	grep -q 'Breakpoint 3, sys_unlink' "$work/live.gout" && ! grep -q 'cannot go back\|no reverse' \
	"$work/live.gout" "$work/live.err"; then
	pass "live: back over typed input and a disk write"
else
	fail "live" "$(grep -v '^warning' "$work/live.gout" | tail -5 | tr '\n' '|') $(tail -3 "$work/live.err")"
fi
if [ "$(grep -c 'recorded$' "$work/live.out")" = 1 ] && grep -q 'f  *2 20 9$' "$work/live.out"; then
	pass "live: the guest's output once"
else
	fail "live: output" "$(tail -c 300 "$work/live.out")"
fi
(cd / && timeout 300 "$strata" replay "$work/rec1" >"$work/r1.out" 2>"$work/r1.err")
r=$?
[ "$r" = "$(cat "$work/live.rc")" ] && ! grep -q diverged "$work/r1.err" &&
	pass "live: its recording replays to the same end ($r)" ||
	fail "live: replay" "status $r, live $(cat "$work/live.rc"): $(cat "$work/r1.err")"
same "live: replay prints the same bytes" "$work/live.out" "$work/r1.out"

# 2. the same with --realtime: the stretches run again read the clock values of the first time
cat >"$work/rt.gdb" <<'G'
break consoleintr
continue
delete
break sys_write
continue
continue
reverse-continue
reverse-stepi
delete
continue
G
cp "$x/fs.img" "$work/fs2.img"
(cd "$x" && gdb_run rt "$work/rt.gdb" "sleep 2; printf 'ls\n'; sleep 60" \
	-- run -bios none -kernel kernel/kernel -m 128M -drive file="$work/fs2.img" --realtime \
	--max-insns 900M --record "$work/rec2")
if [ "$(grep -c 'Breakpoint 2, sys_write' "$work/rt.gout")" = 3 ] && grep -q '^README' "$work/rt.out"; then
	pass "realtime: back over input in a --realtime run"
else
	fail "realtime" "$(grep -v '^warning' "$work/rt.gout" | tail -4 | tr '\n' '|') $(tail -3 "$work/rt.err")"
fi
(cd / && timeout 300 "$strata" replay "$work/rec2" >"$work/r2.out" 2>"$work/r2.err")
r=$?
[ "$r" = "$(cat "$work/rt.rc")" ] && pass "realtime: its recording replays to the same end ($r)" ||
	fail "realtime: replay" "status $r, live $(cat "$work/rt.rc"): $(cat "$work/r2.err")"
same "realtime: replay prints the same bytes" "$work/rt.out" "$work/r2.out"

# 3. a replay under GDB goes back over the disk write and on to the end as recorded
cat >"$work/rp.gdb" <<'G'
break sys_unlink
continue
delete
monitor goto 1400000000
monitor goto 100000000
continue
G
gdb_run rp "$work/rp.gdb" true -- replay "$work/rec1"
[ "$(cat "$work/rp.rc")" = "$(cat "$work/live.rc")" ] && ! grep -q diverged "$work/rp.err" &&
	grep -q 'Breakpoint 1, sys_unlink' "$work/rp.gout" &&
	pass "replay under GDB: back over the disk write, ends as recorded" ||
	fail "replay under GDB" "$(cat "$work/rp.rc"): $(tail -3 "$work/rp.err") $(tail -3 "$work/rp.gout")"
same "replay under GDB: the same bytes" "$work/live.out" "$work/rp.out"

# 4. tracing while going back: the trace and the output hold the run once; with -smp 2 too
# (a stop cuts a round and the run goes on where it was cut: the harts interleave the same)
cat >"$work/tr.gdb" <<'G'
break main
continue
break say
continue
continue
reverse-continue
reverse-stepi
reverse-stepi
continue
delete
monitor goto 6000
monitor goto 5000
continue
G
for smp in 1 2; do
	args=(-smp $smp -bios "$g/fw.elf" -kernel "$g/kernel.elf" --sym "$g/prog.elf@u"
		--trace=itrace,ftrace,etrace,mtrace)
	"$strata" run "${args[@]}" --trace-out "$work/plain.trace" >"$work/plain.out" 2>/dev/null </dev/null
	gdb_run tr "$work/tr.gdb" true -- run "${args[@]}" --snapshot-every 2000 \
		--trace-out "$work/tr.trace"
	"$strata" dump "$work/plain.trace" >"$work/plain.txt" 2>&1
	"$strata" dump "$work/tr.trace" >"$work/tr.txt" 2>&1
	if grep -q 'Breakpoint 2, say' "$work/tr.gout" && grep -q 'exited normally' "$work/tr.gout" &&
		[ -s "$work/plain.txt" ]; then
		same "trace -smp $smp: the same events as without GDB" "$work/plain.txt" "$work/tr.txt"
	else
		fail "trace -smp $smp" "$(tail -3 "$work/tr.gout") $(tail -3 "$work/tr.err")"
	fi
	same "trace -smp $smp: the same output as without GDB" "$work/plain.out" "$work/tr.out"
done
# 5. the H extension (HCORE): going back and forth through HS, VS and VU with two-stage
# translation (tests/guests/src/hyp.c, hypvm.c): the same trace and output as without GDB
cat >"$work/hp.gdb" <<'G'
monitor goto 200000
monitor when
monitor goto 50000
monitor when
monitor goto 150000
monitor goto 100000
monitor when
continue
G
for gname in hyp hypvm; do
	elf=$root/tests/guests/build/$gname.elf
	[ -f "$elf" ] || { fail "H $gname" "$elf not built (make guests)"; continue; }
	args=(-bios none -kernel "$elf" --trace=itrace,ftrace,etrace,mtrace)
	"$strata" run "${args[@]}" --trace-out "$work/plain.trace" >"$work/plain.out" 2>/dev/null </dev/null
	gdb_run hp "$work/hp.gdb" true -- run "${args[@]}" --snapshot-every 20000 \
		--trace-out "$work/hp.trace"
	"$strata" dump "$work/plain.trace" >"$work/plain.txt" 2>&1
	"$strata" dump "$work/hp.trace" >"$work/hp.txt" 2>&1
	if grep -q '^instruction 50000$' "$work/hp.gout" && grep -q '^instruction 100000$' "$work/hp.gout" &&
		grep -q 'exited normally' "$work/hp.gout" && [ -s "$work/plain.txt" ]; then
		same "H $gname: the same events as without GDB" "$work/plain.txt" "$work/hp.txt"
	else
		fail "H $gname" "$(tail -3 "$work/hp.gout") $(tail -3 "$work/hp.err")"
	fi
	same "H $gname: the same output as without GDB" "$work/plain.out" "$work/hp.out"
done
exit 0

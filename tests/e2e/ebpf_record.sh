#!/bin/bash
# e2e/ebpf_record — `strata record` (eBPF uprobes) on the native fixtures of tests/fixtures:
# exact call counts per function and per thread for the C program (-O0 and -O2, uprobe_multi and
# single uprobes) and the Rust program (debug and release), read back with strata info/report/
# dump; a crash of the target; SIGINT while single uprobes are attached; -p with SIGINT and SIGTERM (target keeps running, its code bytes
# restored); ring-buffer drops counted exactly; no BPF program or uprobe left behind after any
# of these. Needs root (CI runs as root); the privilege checks live in ebpf_badinput.sh.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
if [ ! -x "$strata" ]; then
	echo "FAIL ebpf_record: strata binary '$strata' not built"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "FAIL ebpf_record: needs root (CAP_BPF, CAP_PERFMON) to attach uprobes"
	exit 1
fi
if ! fx=$("$root/tests/fixtures/build.sh" -q); then
	echo "FAIL ebpf_record: fixtures did not build (tests/fixtures/build.sh)"
	exit 1
fi
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

pass() { echo "PASS ebpf_record/$1"; }
fail() { echo "FAIL ebpf_record/$1: $2"; }

# No program of ours loaded and no uprobe on a fixture any more. Program release is deferred by
# the kernel (RCU), so wait up to 5 s for it.
no_leftovers() {
	local name=$1 i
	for i in $(seq 50); do
		if ! bpftool prog show 2>/dev/null | grep -q 'name strata_\(entry\|exit\)'; then
			if [ -r /sys/kernel/debug/tracing/uprobe_events ] &&
				grep -q fixtures /sys/kernel/debug/tracing/uprobe_events; then
				fail "$name/leftovers" "uprobe_events still lists a fixture"
				return
			fi
			pass "$name/leftovers"
			return
		fi
		sleep 0.1
	done
	fail "$name/leftovers" "BPF programs still loaded: $(bpftool prog show | grep strata_ | head -2)"
}

# calls FILE FUNC: calls of FUNC summed over every thread (strata report's calls column).
calls() {
	"$strata" report --top 1000 "$1" | awk -v f="$2" '
		/functions by self/ { on = 1; next } /functions by total/ { on = 0 }
		on && $4 == f { n += $3 } END { print n + 0 }'
}
# per_thread FILE: "hart func calls" lines of the self table, sorted.
per_thread() {
	"$strata" report --top 1000 "$1" | awk '
		/^hart [0-9]+, U mode: functions by self/ { h = $2; sub(",", "", h); next }
		/functions by total/ { h = "" } h != "" && $3 ~ /^[0-9]+$/ { print h, $4, $3 }' | sort
}
# info_count FILE KIND: the count of an event kind on the "events:" line of strata info.
info_count() {
	"$strata" info "$1" | sed -n "s/^events: .*[(,] *$2 \([0-9]*\).*/\1/p"
}
info_dropped() { "$strata" info "$1" | sed -n 's/^dropped events: //p'; }

# --- C fixture: exact counts, per thread, both attach modes, -O0 (odd addresses) and -O2 --------
want_c="fib=177 leaf=1200 inner=200 twice=100"
for opt in O0 O2; do
	for mode in multi single; do
		n=c-$opt-$mode
		out=$tmp/$n.trace
		"$strata" record --attach=$mode -o "$out" --filter '^(fib|leaf|inner|twice)$' \
			-- "$fx/calls-$opt" >"$tmp/$n.out" 2>"$tmp/$n.err"
		st=$?
		if [ $st -ne 0 ] || ! grep -q '^done ' "$tmp/$n.out"; then
			fail "$n" "status $st, stdout '$(head -c 200 "$tmp/$n.out")' stderr '$(head -c 300 "$tmp/$n.err")'"
			continue
		fi
		got="fib=$(calls "$out" fib) leaf=$(calls "$out" leaf) inner=$(calls "$out" inner) twice=$(calls "$out" twice)"
		[ "$got" = "$want_c" ] && pass "$n/calls" || fail "$n/calls" "got $got, want $want_c"
		# main thread: fib + leaf; each of the two worker threads: 50 twice, 100 inner, 100 leaf
		pt=$(per_thread "$out" | tr '\n' ' ')
		want_pt="0 fib 177 0 leaf 1000 1 inner 100 1 leaf 100 1 twice 50 2 inner 100 2 leaf 100 2 twice 50 "
		[ "$pt" = "$want_pt" ] && pass "$n/threads" || fail "$n/threads" "got '$pt', want '$want_pt'"
		head1=$("$strata" report "$out" | head -1)
		case $head1 in
		*" events; 0 unmatched returns, 0 stack resyncs, "*"deepest stack 10") pass "$n/stacks" ;;
		*) fail "$n/stacks" "report says '$head1' (want every return matched, depth 10 in fib)" ;;
		esac
		# the END chunk: nothing dropped, and strata said so
		if [ "$(info_dropped "$out")" = 0 ] && [ "$(info_count "$out" call)" = 1677 ] &&
			[ "$(info_count "$out" ret)" = 1677 ] && grep -q ' events, 0 dropped' "$tmp/$n.err"; then
			pass "$n/end"
		else
			fail "$n/end" "info dropped '$(info_dropped "$out")', stderr '$(cat "$tmp/$n.err")'"
		fi
		no_leftovers "$n"
	done
done

# The text view nests fib 10 deep on thread 0 and names threads and CPUs.
"$strata" dump "$tmp/c-O2-multi.trace" >"$tmp/dump.txt" 2>&1
if grep -q 'mark thread [0-9]* pid [0-9]*' "$tmp/dump.txt" &&
	grep -q '^ *[0-9]*    0 U                    fib() {' "$tmp/dump.txt" &&
	grep -q 'mark exit: status 0' "$tmp/dump.txt"; then
	pass dump
else
	fail dump "$(head -5 "$tmp/dump.txt")"
fi
for fmt in perfetto chrome folded; do
	if "$strata" dump "$tmp/c-O2-multi.trace" --format=$fmt -o "$tmp/v.$fmt" 2>"$tmp/v.err" &&
		[ -s "$tmp/v.$fmt" ]; then
		pass "view/$fmt"
	else
		fail "view/$fmt" "$(head -c 300 "$tmp/v.err")"
	fi
done

# --- Rust: demangled names, exact counts in debug and release ---------------------------------
for p in debug release; do
	n=rust-$p
	out=$tmp/$n.trace
	if ! "$strata" record -o "$out" --filter 'work::(step|leaf)$' -- "$fx/rust_calls-$p" \
		>"$tmp/$n.out" 2>"$tmp/$n.err"; then
		fail "$n" "status $?: $(head -c 300 "$tmp/$n.err")"
		continue
	fi
	got="$(calls "$out" rust_calls::work::step) $(calls "$out" rust_calls::work::leaf)"
	[ "$got" = "100 300" ] && pass "$n/calls" || fail "$n/calls" "step, leaf: got $got, want 100 300"
	no_leftovers "$n"
done

# --- a crash of the target: trace finished, status 128+11, probes gone -------------------------
out=$tmp/crash.trace
"$strata" record -o "$out" --filter '^(crash_here|fib)$' -- "$fx/calls-O2" crash \
	>/dev/null 2>"$tmp/crash.err"
st=$?
if [ $st -eq 139 ] && [ "$(calls "$out" fib)" = 177 ] && [ "$(info_count "$out" call)" = 178 ] &&
	"$strata" dump "$out" | grep -q 'mark exit: killed by signal 11' &&
	! "$strata" info "$out" | grep -q truncated; then
	pass crash
else
	fail crash "status $st (want 139), calls $(info_count "$out" call) (want 178): $(cat "$tmp/crash.err")"
fi
no_leftovers crash

# --- -p PID, then SIGINT / SIGTERM to strata: the target keeps running, unpatched ----------------
tick_off=$(nm "$fx/calls-O2" | awk '$3 == "tick" { print $1 }')
for sig in INT TERM; do
	n=attach-$sig
	"$fx/calls-O2" loop >"$tmp/$n.loop" &
	lp=$!
	pids+=("$lp")
	sleep 0.3
	base=$(awk -v exe="$fx/calls-O2" '$6 == exe && $3 == "00000000" { split($1, a, "-"); print a[1]; exit }' "/proc/$lp/maps")
	addr=$((0x$base + 0x$tick_off))
	orig=$(dd if="$fx/calls-O2" bs=1 skip=$((0x$tick_off)) count=1 status=none | od -An -tx1 | tr -d ' ')
	"$strata" record -o "$tmp/$n.trace" --filter '^(tick|fib|leaf)$' -p "$lp" 2>"$tmp/$n.err" &
	rp=$!
	# wait until the probes are in: the first byte of tick() becomes int3 (0xcc)
	during=
	for i in $(seq 100); do
		during=$(dd if="/proc/$lp/mem" bs=1 skip=$addr count=1 status=none | od -An -tx1 | tr -d ' ')
		[ "$during" = cc ] && break
		sleep 0.05
	done
	sleep 0.5
	kill -$sig $rp
	wait $rp
	st=$?
	want_st=$((128 + $(kill -l $sig)))
	after=$(dd if="/proc/$lp/mem" bs=1 skip=$addr count=1 status=none | od -An -tx1 | tr -d ' ')
	t0=$(grep -c '^tick' "$tmp/$n.loop")
	sleep 0.3
	t1=$(grep -c '^tick' "$tmp/$n.loop")
	ticks=$(calls "$tmp/$n.trace" tick)
	fibs=$(calls "$tmp/$n.trace" fib)
	if [ "$during" != cc ]; then
		fail "$n" "tick() was never patched with int3 (byte $during)"
	elif [ $st -ne $want_st ]; then
		fail "$n" "strata status $st, want $want_st: $(cat "$tmp/$n.err")"
	elif [ "$after" != "$orig" ]; then
		fail "$n" "tick()'s first byte is $after after detaching, want $orig"
	elif ! kill -0 "$lp" 2>/dev/null || [ "$t1" -le "$t0" ]; then
		fail "$n" "the target stopped running after strata left"
	elif [ "$ticks" -lt 5 ] || [ "$fibs" -lt $((15 * (ticks - 1))) ] || [ "$fibs" -gt $((15 * (ticks + 1))) ]; then
		fail "$n" "ticks $ticks, fib calls $fibs (want 15 per tick)"
	elif "$strata" info "$tmp/$n.trace" | grep -q truncated ||
		! "$strata" dump "$tmp/$n.trace" | grep -q "mark detached: strata got signal $(kill -l $sig)"; then
		fail "$n" "trace not finished: $("$strata" info "$tmp/$n.trace" | tail -3)"
	else
		pass "$n"
	fi
	# the process still computes what it computed before (same checksum for the same tick)
	if awk '$1 == "tick" { if (seen[$2] && seen[$2] != $3) bad = 1; seen[$2] = $3 } END { exit bad }' \
		"$tmp/$n.loop"; then
		pass "$n/unharmed"
	else
		fail "$n/unharmed" "checksums changed"
	fi
	kill "$lp"
	wait "$lp" 2>/dev/null
	no_leftovers "$n"
done

# --- a signal while single uprobes are being attached: strata stops attaching, removes what it
# attached, finishes the trace and exits 128+N; the command it started runs on, unharmed.
# STRATA_TEST_ATTACH_DELAY_US (src/ebpf/attach.c) spaces the links out so that the signal
# surely comes in the middle of them (500 links of 20 ms: 10 s; the signal comes after 1 s).
n=attach-interrupted
STRATA_TEST_ATTACH_DELAY_US=20000 "$strata" record --attach=single --filter='^tokio::runtime' \
	-o "$tmp/$n.trace" -- "$fx/tokio_exact-release" >"$tmp/$n.out" 2>"$tmp/$n.err" &
rp=$!
sleep 1
kill -INT $rp
wait $rp
st=$?
made=$(sed -n 's/.*interrupted while attaching uprobes (\([0-9]*\) of \([0-9]*\) links.*/\1 \2/p' "$tmp/$n.err")
for i in $(seq 100); do grep -q 'total 10' "$tmp/$n.out" && break; sleep 0.1; done
if [ $st -ne 130 ]; then
	fail "$n" "strata status $st, want 130: $(head -c 300 "$tmp/$n.err")"
elif [ -z "$made" ] || [ "${made% *}" -ge "${made#* }" ]; then
	fail "$n" "attaching was not cut short: $(head -c 300 "$tmp/$n.err")"
elif ! grep -q 'total 10' "$tmp/$n.out"; then
	fail "$n" "the command did not run to its end after strata left: $(cat "$tmp/$n.out")"
elif "$strata" info "$tmp/$n.trace" | grep -q truncated ||
	! "$strata" dump "$tmp/$n.trace" | grep -q "mark detached: strata got signal 2"; then
	fail "$n" "trace not finished: $("$strata" info "$tmp/$n.trace" 2>&1 | tail -3)"
else
	pass "$n"
fi
no_leftovers "$n"

# --- ring buffer overflow: every hit is either in the trace or counted as dropped -------------
# (a) a small ring: recorded calls + returns + dropped = the exact number of hits, whether or not
# the consumer kept up this time
out=$tmp/drops.trace
"$strata" record --ring-size=4096 -o "$out" --filter '^(fib|leaf|inner|twice)$' -- "$fx/calls-O2" \
	>/dev/null 2>"$tmp/drops.err"
c=$(info_count "$out" call)
r=$(info_count "$out" ret)
d=$(info_dropped "$out")
if [ -n "$d" ] && [ $((c + r + d)) -eq 3354 ] &&
	grep -q " $d dropped (ring buffer full)" "$tmp/drops.err"; then
	pass drops
else
	fail drops "calls $c + returns $r + dropped $d != 3354 or not printed: $(cat "$tmp/drops.err")"
fi
no_leftovers drops
# (b) a stalled consumer (strata stopped with SIGSTOP for a second while the target runs): the
# ring overflows for sure; the drops are counted in END and printed
"$fx/calls-O2" loop >"$tmp/stall.loop" &
lp=$!
pids+=("$lp")
sleep 0.3
base=$(awk -v exe="$fx/calls-O2" '$6 == exe && $3 == "00000000" { split($1, a, "-"); print a[1]; exit }' "/proc/$lp/maps")
addr=$((0x$base + 0x$tick_off))
"$strata" record --ring-size=4096 -o "$tmp/stall.trace" --filter '^(tick|fib|leaf)$' -p "$lp" 2>"$tmp/stall.err" &
rp=$!
for i in $(seq 100); do
	[ "$(dd if="/proc/$lp/mem" bs=1 skip=$addr count=1 status=none | od -An -tx1 | tr -d ' ')" = cc ] && break
	sleep 0.05
done
kill -STOP $rp
sleep 1
kill -CONT $rp
sleep 0.3
kill -INT $rp
wait $rp
d=$(info_dropped "$tmp/stall.trace")
if [ -n "$d" ] && [ "$d" -gt 0 ] && grep -q " $d dropped (ring buffer full)" "$tmp/stall.err" &&
	kill -0 "$lp" 2>/dev/null; then
	pass drops-stalled
else
	fail drops-stalled "dropped '$d' (want > 0, printed): $(cat "$tmp/stall.err")"
fi
kill "$lp"
wait "$lp" 2>/dev/null
no_leftovers drops-stalled

# --- a function whose first instruction x86 uprobes refuse (lock prefix) is left out, the rest
# is traced (one refused offset would fail a whole uprobe_multi link) ---------------------------
cat >"$tmp/lock.c" <<'C'
#include <stdio.h>
__attribute__((naked, noinline)) void lock_first(long *p) { __asm__("lock incq (%rdi)\n\tret"); }
__attribute__((noipa)) long plain(long x) { return x + 1; }
int main(void) { long v = 0, s = 0; for (int i = 0; i < 7; i++) { lock_first(&v); s += plain(i); } printf("%ld %ld\n", v, s); return 0; }
C
gcc -O2 -o "$tmp/lock" "$tmp/lock.c"
if "$strata" record --stats -o "$tmp/lock.trace" --filter '^(lock_first|plain)$' -- "$tmp/lock" \
	>"$tmp/lock.out" 2>"$tmp/lock.err" && grep -q '1 not probeable' "$tmp/lock.err" &&
	[ "$(calls "$tmp/lock.trace" plain)" = 7 ] && grep -qx '7 28' "$tmp/lock.out"; then
	pass lock-prefix
else
	fail lock-prefix "$(cat "$tmp/lock.err") calls $(calls "$tmp/lock.trace" plain)"
fi
no_leftovers lock-prefix

# --- shared objects (tests/fixtures/c/shlib_*.c): functions of a DT_NEEDED library and of libc are
# found, probed, matched by --filter and named like the executable's; a command started by strata
# is probed from its entry point (the libraries are mapped by then), so a library it dlopen's
# later is not; with -p, a library dlopen'ed before strata attached is. Exact call counts against
# tests/golden/ebpf/shlib-*.txt ('#' lines say why). -------------------------------------------
shlib_counts() {
	"$strata" report --top 1000 "$1" | awk '/functions by self/ { on = 1; next }
		/functions by total/ { on = 0 } on && $3 ~ /^[0-9]+$/ { n[$4] += $3 }
		END { for (f in n) print f, n[f] }' | LC_ALL=C sort
}
# shlib_check NAME GOLDEN: the counts of $tmp/NAME.trace against tests/golden/ebpf/GOLDEN.txt
shlib_check() {
	local n=$1 gold=$root/tests/golden/ebpf/$2.txt
	shlib_counts "$tmp/$n.trace" >"$tmp/$n.got"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ] && [ "$n" = "$2" ]; then
		{ grep '^#' "$gold" 2>/dev/null; cat "$tmp/$n.got"; } >"$tmp/$n.new"
		cp "$tmp/$n.new" "$gold"
	fi
	if ! grep -qx done "$tmp/$n.out"; then
		fail "$n" "the fixture did not finish: $(head -c 300 "$tmp/$n.err")"
	elif grep -v '^#' "$gold" | diff -u - "$tmp/$n.got" >"$tmp/$n.diff"; then
		pass "$n"
	else
		fail "$n" "differs from tests/golden/ebpf/$2.txt: $(head -20 "$tmp/$n.diff" | tr '\n' '|')"
	fi
}
shf='^(main_leaf|shared_.*|plugin_.*|dlopen)$'
for mode in multi single; do
	n=shlib-run-$mode
	"$strata" record --attach=$mode --stats -o "$tmp/$n.trace" --filter "$shf" -- "$fx/shlib" \
		>"$tmp/$n.out" 2>"$tmp/$n.err"
	shlib_check $n shlib-run # the same golden in both attach modes
done
# --list-probes: every probe with its object file, nothing attached, the started command killed
if "$strata" record --list-probes --filter "$shf" -- "$fx/shlib" >"$tmp/list.out" 2>"$tmp/list.err" &&
	grep -q "/libstrata_shared.so 0x[0-9a-f]* entry+return func shared_twice$" "$tmp/list.out" &&
	grep -q "/libc.so.6 0x[0-9a-f]* entry+return func dlopen$" "$tmp/list.out" &&
	grep -q "/shlib 0x[0-9a-f]* entry+return func main_leaf$" "$tmp/list.out" &&
	[ "$(wc -l <"$tmp/list.out")" = 4 ] && ! pgrep -x shlib >/dev/null; then
	pass list-probes
else
	fail list-probes "$(head -c 300 "$tmp/list.out") $(head -c 300 "$tmp/list.err")"
fi
# the trace's symbols name the library functions at their runtime addresses
if "$strata" dump "$tmp/shlib-run-multi.trace" | grep -q 'shared_twice() {' &&
	grep -q ' 3 of them in shared objects' "$tmp/shlib-run-multi.err"; then
	pass shlib-run/symbols
else
	fail shlib-run/symbols "no shared_twice() call in strata dump: $(head -c 300 "$tmp/shlib-run-multi.err")"
fi
n=shlib-attach
"$fx/shlib" wait >"$tmp/$n.out" &
lp=$!
pids+=("$lp")
for i in $(seq 100); do grep -q '^ready' "$tmp/$n.out" && break; sleep 0.05; done
"$strata" record --stats -o "$tmp/$n.trace" --filter "$shf" -p "$lp" 2>"$tmp/$n.err" &
rp=$!
for i in $(seq 200); do grep -q 'attached in' "$tmp/$n.err" && break; sleep 0.05; done
kill -USR1 "$lp"
wait "$rp"
wait "$lp" 2>/dev/null
shlib_check $n $n
no_leftovers shlib
# source lines: every function whose object has DWARF (the fixture's executable and both -g
# libraries, the dlopen'ed one with -p) has FILE:LINE of its first instruction, found at
# (runtime address - the object's load bias); libc's dlopen has none (no debug info installed).
# The text dump, report, Chrome JSON and Perfetto all show it; goldens tests/golden/ebpf/
# shlib-lines-*.txt hold "function [FILE:LINE]" with the fixture's directory cut off.
fixdir() { sed -E "s|/[^ \"]*/tests/fixtures/|tests/fixtures/|g"; }
shlib_lines() { # FILE: from the text dump
	"$strata" dump "$1" | sed -nE 's|.* ([A-Za-z_0-9]+)\(\) \{( /\* (.*) \*/)?$|\1 \3|p' |
		fixdir | sed 's/ $//' | LC_ALL=C sort -u
}
for n in run attach; do
	tr=$tmp/shlib-run-multi.trace
	[ $n = attach ] && tr=$tmp/shlib-attach.trace
	gold=$root/tests/golden/ebpf/shlib-lines-$n.txt
	shlib_lines "$tr" >"$tmp/lines-$n.got"
	[ "${UPDATE_GOLDEN:-0}" = 1 ] && { grep '^#' "$gold" 2>/dev/null; cat "$tmp/lines-$n.got"; } >"$tmp/lines-$n.new" &&
		cp "$tmp/lines-$n.new" "$gold"
	"$strata" report --top 1000 "$tr" | awk '/functions by self/ { on = 1; next }
		/functions by total/ { on = 0 } on && $3 ~ /^[0-9]+$/ { print $4, $5 }' |
		fixdir | sed 's/ $//' | LC_ALL=C sort -u >"$tmp/lines-$n.report"
	"$strata" dump --format=chrome -o "$tmp/lines-$n.json" "$tr"
	"$strata" dump --format=perfetto -o "$tmp/lines-$n.pftrace" "$tr"
	if ! grep -v '^#' "$gold" | diff -u - "$tmp/lines-$n.got" >"$tmp/lines-$n.diff"; then
		fail shlib-lines-$n "strata dump differs from $gold: $(head -20 "$tmp/lines-$n.diff" | tr '\n' '|')"
	elif ! diff -q "$tmp/lines-$n.got" "$tmp/lines-$n.report" >/dev/null; then
		fail shlib-lines-$n "strata report: $(tr '\n' '|' <"$tmp/lines-$n.report")"
	elif ! grep -q "\"name\":\"shared_leaf\",\"args\":{\"addr\":\"0x[0-9a-f]*\",\"source\":\"/[^\"]*/tests/fixtures/c/shlib_shared.c:[0-9]*\"}" "$tmp/lines-$n.json"; then
		fail shlib-lines-$n "no source of shared_leaf in the Chrome JSON: $(grep -o '"name":"shared_leaf"[^}]*' "$tmp/lines-$n.json" | head -1)"
	elif ! grep -aq "/tests/fixtures/c/shlib_shared.c:[0-9]" "$tmp/lines-$n.pftrace"; then
		fail shlib-lines-$n "no source line in the Perfetto trace"
	else
		pass shlib-lines-$n
	fi
done
# a stripped executable still has its libraries' functions: pthread_create twice (calls.c)
cp "$fx/calls-O2" "$tmp/stripped"
strip "$tmp/stripped"
if "$strata" record -o "$tmp/stripped.trace" --filter '^pthread_create$' -- "$tmp/stripped" \
	>"$tmp/stripped.out" 2>"$tmp/stripped.err" && [ "$(calls "$tmp/stripped.trace" pthread_create)" = 2 ]; then
	pass shlib-stripped
else
	fail shlib-stripped "pthread_create calls $(calls "$tmp/stripped.trace" pthread_create), want 2: $(head -c 300 "$tmp/stripped.err")"
fi
no_leftovers shlib-stripped

#!/bin/bash
# e2e/hasync — async Rust tasks in a VS-mode kernel, traced the same way as in S mode (issue 15
# item 4; docs/HYPERVISOR.md "Async tasks in a guest kernel"). The Rust async kernel of
# tests/guests/rust (kernel*.elf, S mode under OpenSBI) runs once as usual and once in VS mode
# under tests/guests/hshim, an HS-mode shim under OpenSBI whose G-stage puts the guest's
# physical 0x80000000.. at host physical 0x82000000.. (the tracer's memory reads must go
# through both stages: read in place, the tasks' state would be the zeros the host has there).
# For each build (rustc 1.96 and 1.63, opt-level 0-3):
#   - the VS run prints the kernel's lines;
#   - `strata tasks` on both traces is the same text, except for what the guest's being a guest
#     changes: instruction counts (the columns BUSY_INSNS, FIRST_POLL, LAST_POLL and the await
#     points' min/avg/max: the shim's boot and its forwarding of SBI calls add instructions)
#     and the level of the interrupt that wakes the sleeper (S timer at S, at VS in the guest);
#     task addresses and future names are compared as they are (vsatp is Bare and the guest
#     physical layout is the kernel's own, so the addresses are the same);
#   - the VS run's `strata tasks --json` meets tests/e2e/async/check.py's kernel expectations.
# Then one GDB session per mode (O2): the async breakpoints (`monitor break-on poll 1`,
# `wake 0`, `ready Sleep`) stop at the same places with the same await trees, at priv 1 and 5
# (`monitor info`'s mstatus/mie line is the hart's own: the guest's interrupts are hie's).
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
g=$root/tests/guests/rust/build
shim=$root/tests/guests/hshim/build/hshim.elf
tmp=${HASYNC_TMP:-$(mktemp -d)}
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT

pass() { echo "PASS hasync/$1"; }
fail() { echo "FAIL hasync/$1: $2"; }

kernel_out='kernel: worker done
kernel: tick 1
kernel: tick 2
kernel: done'

# run NAME MODE ELF: trace the kernel ELF at S (MODE s) or VS (MODE vs) into $tmp/NAME.MODE.*
run() {
	local name=$1 mode=$2 elf=$3 args
	if [ "$mode" = s ]; then
		args=(-kernel "$elf")
	else
		args=(-m 256M -kernel "$shim" -initrd "$elf" --sym "$elf@vs")
	fi
	timeout 120 "$strata" run "${args[@]}" --trace=async,ftrace,etrace \
		--trace-out "$tmp/$name.$mode.trace" </dev/null >"$tmp/$name.$mode.out" 2>"$tmp/$name.$mode.err"
	local st=$?
	if [ $st -ne 0 ]; then
		fail "$name/$mode/run" "exit $st: $(grep -v 'not traced' "$tmp/$name.$mode.err" | head -n 1)"
		return 1
	fi
}

# the instruction counts of `strata tasks` (see above)
norm() {
	sed -E -e 's/^( +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+) +[0-9]+ +[0-9]+ +[0-9]+ /\1 N N N /' \
		-e 's/ min=[0-9]+ avg=[0-9]+ max=[0-9]+$//' "$1"
}

for f in "$shim" "$g/kernel-O2.elf"; do
	[ -f "$f" ] || { fail build "$f missing (make guests)"; exit 0; }
done
for v in '' 163; do
	for o in 0 1 2 3; do
		name=kernel$v-O$o
		elf=$g/$name.elf
		run "$name" s "$elf" && run "$name" vs "$elf" || continue
		if [ "$(tr -d '\r' <"$tmp/$name.vs.out" | grep -a '^kernel: ')" = "$kernel_out" ]; then
			pass "$name/output"
		else
			fail "$name/output" "$(grep -a -e '^kernel' -e '^hshim' "$tmp/$name.vs.out" | head -n 2 | tr '\n' ' ')"
		fi
		for m in s vs; do
			"$strata" tasks "$tmp/$name.$m.trace" >"$tmp/$name.$m.tasks" 2>"$tmp/$name.$m.terr" ||
				fail "$name/$m/tasks" "exit $?: $(head -n 1 "$tmp/$name.$m.terr")"
		done
		if grep -q '^  irq s_timer (VS) *-> task 0    x2$' "$tmp/$name.vs.tasks" &&
			grep -q '^  irq s_timer (S) *-> task 0    x2$' "$tmp/$name.s.tasks"; then
			pass "$name/irq_wakes_at_vs"
		else
			fail "$name/irq_wakes_at_vs" "$(grep 'irq' "$tmp/$name.vs.tasks" | head -n 1)"
		fi
		norm "$tmp/$name.s.tasks" >"$tmp/s.n"
		norm "$tmp/$name.vs.tasks" | sed 's/^  irq s_timer (VS)     /  irq s_timer (S)      /' >"$tmp/vs.n"
		if [ -s "$tmp/s.n" ] && grep -q '^task 1: ' "$tmp/s.n" && cmp -s "$tmp/s.n" "$tmp/vs.n"; then
			pass "$name/tasks_same_as_s"
		else
			fail "$name/tasks_same_as_s" "$(diff "$tmp/s.n" "$tmp/vs.n" | head -n 6 | tr '\n' ' ')"
		fi
		# the expectations by construction (tests/guests/rust/README.md), on the VS trace
		if "$strata" tasks --json "$tmp/$name.vs.trace" >"$tmp/$name.vs.json" 2>"$tmp/j.err"; then
			sed -i 's/irq s_timer (VS)/irq s_timer (S)/' "$tmp/$name.vs.json"
			python3 "$root/tests/e2e/async/check.py" kernel "$name" "$root" "$tmp/$name.vs.json" |
				sed -e 's|^PASS async/|PASS hasync/vs/|' -e 's|^FAIL async/|FAIL hasync/vs/|'
		else
			fail "$name/vs/json" "$(head -n 1 "$tmp/j.err")"
		fi
	done
done

# ---- GDB: the async breakpoints at S and at VS ----
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
elf=$g/kernel-O2.elf
for m in s vs; do
	port=$(free_port)
	if [ $m = s ]; then
		args=(-kernel "$elf")
	else
		args=(-m 256M -kernel "$shim" -initrd "$elf" --sym "$elf@vs")
	fi
	"$strata" run "${args[@]}" --trace=async --gdb "127.0.0.1:$port" -S \
		>"$tmp/gdb.$m.guest" 2>"$tmp/gdb.$m.err" </dev/null &
	pid=$!
	for _ in $(seq 50); do grep -q listening "$tmp/gdb.$m.err" && break; sleep 0.1; done
	timeout 120 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex 'set width 0' -ex "file $elf" -ex "target remote 127.0.0.1:$port" \
		-x "$root/tests/gdb/hasync.gdb" >"$tmp/gdb.$m.raw" 2>&1
	gs=$?
	wait $pid
	[ $gs -eq 0 ] && pass "gdb/$m/session" || fail "gdb/$m/session" "gdb exit $gs: $(tail -n 2 "$tmp/gdb.$m.raw" | tr '\n' ' ')"
	# the stop notes, await trees and the source lines GDB stops at (as e2e/gdb_async)
	sed -n -e 's|^.* at \([^ ]*/\)\{0,1\}rust/\([a-z]*\.rs:[0-9]*\)$|  stopped in \2|p' \
		-e '/^\(strata: hart\|await tree\|  \|break on:\|priv \)/p' "$tmp/gdb.$m.raw" >"$tmp/gdb.$m.out"
done
if [ "$(grep -c '^priv 5$' "$tmp/gdb.vs.out")" = 3 ] && [ "$(grep -c '^priv 1$' "$tmp/gdb.s.out")" = 3 ]; then
	pass gdb/stops_at_vs
else
	fail gdb/stops_at_vs "$(grep '^priv' "$tmp/gdb.vs.out" | tr '\n' ' ')"
fi
if grep -q '^strata: hart 0 stopped: async: wake of task 0 (by a trap handler)$' "$tmp/gdb.vs.out" &&
	grep -q '^strata: hart 0 stopped: async: kernel::Sleep ready in task 0$' "$tmp/gdb.vs.out" &&
	grep -q '^    kernel::Sleep  3 polls$' "$tmp/gdb.vs.out" &&
	cmp -s <(grep -v -e '^priv' -e '^  mstatus' "$tmp/gdb.s.out") \
		<(grep -v -e '^priv' -e '^  mstatus' "$tmp/gdb.vs.out"); then
	pass gdb/same_stops_as_s
else
	fail gdb/same_stops_as_s "$(diff "$tmp/gdb.s.out" "$tmp/gdb.vs.out" | head -n 6 | tr '\n' ' ')"
fi
if grep -q '^hart 0: pc 0x[0-9a-f]* priv VS$' "$tmp/gdb.vs.raw"; then
	pass gdb/monitor_info_vs
else
	fail gdb/monitor_info_vs "$(grep '^hart 0:' "$tmp/gdb.vs.raw" | head -n 1)"
fi

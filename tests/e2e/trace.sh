#!/bin/bash
# Golden end-to-end tests of the tracers on the project's guests: for each program, the trace's
# `strata report` and `strata dump` output must match tests/golden/trace/NAME.{report,dump}
# exactly (strata is deterministic), plus structural checks known from how each program is
# written (tests/guests/trace/README.md). STRATA_UPDATE_GOLDEN=1 rewrites the report/dump goldens.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
STRATA=${STRATA:-$root/build/strata}
g=$root/tests/guests/trace/build
gold=$root/tests/golden/trace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS trace/$1"; }
fail() { echo "FAIL trace/$1: $2"; }

# compare NAME KIND FILE: FILE against the golden NAME.KIND
compare() {
	local want=$gold/$1.$2
	if [ "${STRATA_UPDATE_GOLDEN:-0}" = 1 ]; then
		if [ -s "$3" ] && cp "$3" "$want"; then
			echo "UPDATED trace/$1/$2"
		else
			fail "$1/$2" "nothing to write to $want"
		fi
	elif [ ! -f "$want" ]; then
		fail "$1/$2" "no golden $want (STRATA_UPDATE_GOLDEN=1 makes it)"
	elif [ ! -s "$3" ]; then
		fail "$1/$2" "empty output"
	elif diff -q "$want" "$3" >/dev/null; then
		pass "$1/$2"
	else
		fail "$1/$2" "differs from golden: $(diff "$want" "$3" | head -n 4 | tr '\n' ' ')"
	fi
}

# expect NAME FILE REGEX: a line of FILE matches REGEX
expect() {
	if grep -qE -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "no line matching '$3'"
	fi
}

# run_guest NAME TRACERS [strata run options...]
run_guest() {
	local name=$1 tracers=$2
	shift 2
	if [ ! -f "$g/$name.elf" ]; then
		fail "$name/build" "$g/$name.elf missing (make guests)"
		return 1
	fi
	"$STRATA" run "$@" --trace="$tracers" --trace-out "$tmp/$name.trace" </dev/null \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	local st=$?
	if [ $st -ne 0 ]; then
		fail "$name/run" "exit $st: $(head -n 1 "$tmp/$name.err")"
		return 1
	fi
	if [ "$name" = s_kernel ]; then # its golden holds the kernel's lines, not OpenSBI's banner
		tr -d "\r" <"$tmp/$name.out" | grep "^$name: " >"$tmp/$name.own"
		mv "$tmp/$name.own" "$tmp/$name.out"
	fi
	echo "exit $st" >>"$tmp/$name.out" # the goldens end like tests/golden/guests/*.out
	if ! diff -q "$gold/$name.out" "$tmp/$name.out" >/dev/null; then
		fail "$name/output" "guest output differs from $gold/$name.out"
	fi
	"$STRATA" report "$tmp/$name.trace" >"$tmp/$name.report" 2>&1 || fail "$name/report" "exit $?"
	"$STRATA" dump "$tmp/$name.trace" >"$tmp/$name.dump" 2>&1 || fail "$name/dump" "exit $?"
	compare "$name" report "$tmp/$name.report"
	compare "$name" dump "$tmp/$name.dump"
	return 0
}

# Bare-metal programs in M mode: calls, returns, tail calls, longjmp, traps.
for n in recursion mutual tailcall longjmp traps firmware; do
	run_guest "$n" ftrace,etrace -bios none -kernel "$g/$n.elf" || continue
done
r=$tmp/recursion.report
expect recursion/fib_67_calls "$r" '^ +[0-9]+ +[0-9]+ +67  fib$'
expect recursion/square_10_calls "$r" '^ +[0-9]+ +[0-9]+ +10  square$'
expect recursion/depth_9 "$r" 'deepest stack 9$'
expect recursion/balanced "$r" '0 stack resyncs'
r=$tmp/mutual.report
expect mutual/is_even_6 "$r" '^ +[0-9]+ +[0-9]+ +6  is_even$'
expect mutual/is_odd_5 "$r" '^ +[0-9]+ +[0-9]+ +5  is_odd$'
# main calls top, which tail-calls mid, which tail-calls leaf: each replaces the frame, so mid
# and leaf appear directly under main (depth 1) although main never calls them.
r=$tmp/tailcall.dump
expect tailcall/mid_replaces_top "$r" '^ +[0-9]+ +0 M    mid\(\) \{$'
expect tailcall/leaf_replaces_mid "$r" '^ +[0-9]+ +0 M    leaf\(\) \{$'
r=$tmp/longjmp.report
expect longjmp/resync_by_sp "$r" ' 1 stack resyncs'
r=$tmp/traps.report
expect traps/timer_interrupt "$r" 'irq:m_timer$'
expect traps/illegal_instruction "$r" 'trap:illegal_insn$'
r=$tmp/firmware.report
expect firmware/sbi_putchar "$r" 'legacy_console_putchar|sbi_console_putchar'
expect firmware/sbi_base "$r" 'sbi_get_spec_version'

# An S-mode kernel under Debian's OpenSBI (stripped: M frames are addresses; SBI decoding
# still works). Only S is recorded; the S->M ecalls and M->S returns are kept as SBI calls.
if run_guest s_kernel ftrace,etrace -kernel "$g/s_kernel.elf" --trace-priv=s; then
	r=$tmp/s_kernel.report
	expect s_kernel/sbi_spec_version "$r" 'base +sbi_get_spec_version'
	expect s_kernel/sbi_set_timer "$r" 'TIME +sbi_set_timer'
	expect s_kernel/sbi_shutdown "$r" 'SRST +sbi_system_reset'
fi

# A trace cut by SIGINT mid-run is complete up to there; one cut by SIGKILL reads up to its last
# complete chunk.
bench=$root/bench/guest/build/bench.elf
"$STRATA" run -bios none -kernel "$bench" --trace=all --trace-out "$tmp/int.trace" \
	</dev/null >/dev/null 2>"$tmp/int.err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
st=$?
if [ $st -eq 130 ] && grep -q "the trace is complete up to here" "$tmp/int.err"; then
	pass sigint/exit_status
else
	fail sigint/exit_status "exit $st: $(head -n 1 "$tmp/int.err")"
fi
if "$STRATA" info "$tmp/int.trace" >"$tmp/int.info" 2>&1 && ! grep -q truncated "$tmp/int.info" &&
	grep -qE '^events: [1-9]' "$tmp/int.info"; then
	pass sigint/readable
else
	fail sigint/readable "$(head -n 3 "$tmp/int.info" | tr '\n' ' ')"
fi
"$STRATA" run -bios none -kernel "$bench" --trace=all --trace-out "$tmp/kill.trace" \
	</dev/null >/dev/null 2>&1 &
pid=$!
sleep 1
kill -KILL $pid
wait $pid 2>/dev/null
if "$STRATA" info "$tmp/kill.trace" >"$tmp/kill.info" 2>&1 && grep -q truncated "$tmp/kill.info" &&
	grep -qE '^events: [1-9]' "$tmp/kill.info" &&
	"$STRATA" dump "$tmp/kill.trace" >/dev/null 2>&1; then
	pass sigkill/readable_up_to_last_chunk
else
	fail sigkill/readable_up_to_last_chunk "$(head -n 3 "$tmp/kill.info" | tr '\n' ' ')"
fi

# The project's Linux image: vmlinux symbols in S mode, the init's in U mode; syscalls and SBI
# calls decoded. Counts that depend on the kernel's internals are not pinned; what the init does
# by construction is (tests/linux/init.c: one execve, pipes, fork, wait, kill, mount).
if img=$("$root/scripts/linux/build.sh" -q 2>"$tmp/linux-build.err"); then
	cp "$img/disk.img" "$tmp/disk.img"
	if timeout 300 "$STRATA" run -m 256M -kernel "$img/Image" -initrd "$img/initramfs.cpio.gz" \
		-append console=ttyS0 -drive "file=$tmp/disk.img" --trace=ftrace,etrace \
		--sym "$img/vmlinux@s" --sym "$img/init@u" --trace-out "$tmp/linux.trace" \
		</dev/null >"$tmp/linux.out" 2>&1 &&
		grep -q "strata-init: all checks passed" "$tmp/linux.out"; then
		pass linux/run
		"$STRATA" report "$tmp/linux.trace" >"$tmp/linux.report" 2>&1
		r=$tmp/linux.report
		expect linux/kernel_symbols "$r" '  start_kernel$'
		expect linux/init_symbols "$r" '  main$'
		expect linux/syscall_execve_once "$r" '^ +1  execve \(221\)$'
		for sc in 'write \(64\)' 'read \(63\)' 'pipe2 \(59\)' 'clone \(220\)' 'wait4 \(260\)' \
			'kill \(129\)' 'mount \(40\)' 'exit_group \(94\)'; do
			expect "linux/syscall_${sc%% *}" "$r" "^ +[1-9][0-9]*  $sc\$"
		done
		expect linux/sbi_shutdown_once "$r" '^ +1  SRST +sbi_system_reset$'
		# with Sstc (on by default) Linux programs stimecmp itself: etrace notes each write
		expect linux/stimecmp_writes "$r" '^ +[1-9][0-9]*  stimecmp writes on hart 0$'
		expect linux/balanced_enough "$r" 'deepest stack'
	else
		fail linux/run "$(tail -n 2 "$tmp/linux.out" | tr '\n' ' ')"
	fi
	# without Sstc the same kernel asks OpenSBI for every timer event (SBI TIME set_timer)
	cp "$img/disk.img" "$tmp/disk.img"
	if timeout 300 "$STRATA" run -cpu rv64,sstc=off -m 256M -kernel "$img/Image" \
		-initrd "$img/initramfs.cpio.gz" -append console=ttyS0 -drive "file=$tmp/disk.img" \
		--trace=etrace --trace-out "$tmp/linux-nosstc.trace" </dev/null \
		>"$tmp/linux-nosstc.out" 2>&1 &&
		grep -q "strata-init: all checks passed" "$tmp/linux-nosstc.out"; then
		"$STRATA" report "$tmp/linux-nosstc.trace" >"$tmp/linux-nosstc.report" 2>&1
		r=$tmp/linux-nosstc.report
		expect linux/sstc_off/sbi_set_timer "$r" '^ +[1-9][0-9]*  TIME +sbi_set_timer$'
		if grep -q 'stimecmp writes' "$r"; then
			fail linux/sstc_off/no_stimecmp "stimecmp written with sstc=off"
		else
			pass linux/sstc_off/no_stimecmp
		fi
	else
		fail linux/sstc_off/run "$(tail -n 2 "$tmp/linux-nosstc.out" | tr '\n' ' ')"
	fi
else
	fail linux/image "make linux-image failed: $(tail -n 1 "$tmp/linux-build.err")"
fi

# --trace-text writes exactly what strata dump prints.
"$STRATA" run -bios none -kernel "$g/mutual.elf" --trace=ftrace,etrace --trace-out "$tmp/tt.trace" \
	--trace-text="$tmp/tt.txt" </dev/null >/dev/null 2>&1
"$STRATA" dump "$tmp/tt.trace" >"$tmp/tt.dump" 2>&1
if [ -s "$tmp/tt.txt" ] && cmp -s "$tmp/tt.txt" "$tmp/tt.dump"; then
	pass trace_text/same_as_dump
else
	fail trace_text/same_as_dump "differs or empty"
fi

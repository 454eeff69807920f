#!/bin/bash
# A guest that makes no progress (every hart waits for an interrupt that cannot come, or traps
# without retiring) is the guest's fault, not strata's: one line saying so, the registers and
# the last 16 retired instructions from the always-on ring, exit status 65 (docs/DECISIONS.md).
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
STRATA=${STRATA:-$root/build/strata}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -Wl,-N \
	-Wl,-Ttext=0x80000000 -o "$tmp/hang.elf" "$root/tests/e2e/data/hang.S" 2>"$tmp/cc.err"; then
	echo "FAIL stuck/build: $(head -n 1 "$tmp/cc.err")"
	exit 1
fi
"$STRATA" run -bios none -kernel "$tmp/hang.elf" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
if [ $status -eq 65 ]; then
	echo "PASS stuck/exit_status"
else
	echo "FAIL stuck/exit_status: got $status, want 65"
fi
if grep -q "^strata: the guest makes no progress: every hart waits for an interrupt that cannot come" "$tmp/err"; then
	echo "PASS stuck/message"
else
	echo "FAIL stuck/message: $(head -n 1 "$tmp/err")"
fi
# registers at the moment of the error: a0 counted down to 0, a1 = 0x1234, pc after the wfi
if grep -q "a0   0000000000000000" "$tmp/err" && grep -q "a1   0000000000001234" "$tmp/err" &&
	grep -q "pc 0000000080000010 priv M" "$tmp/err"; then
	echo "PASS stuck/registers"
else
	echo "FAIL stuck/registers: $(grep -m1 'pc ' "$tmp/err")"
fi
# the ring: exactly the last 16 instructions, oldest first, ending with li a1 (lui, addiw) and wfi
ring=$(sed -n '/^last 16 instructions/,$p' "$tmp/err" | tail -n +2)
n=$(printf '%s\n' "$ring" | grep -c '^  [0-9a-f]\{16\}:')
last2=$(printf '%s\n' "$ring" | tail -n 2 | awk '{print $1, $3}' | tr '\n' ' ')
if [ "$n" = 16 ] && [ "$last2" = "0000000080000008: addiw 000000008000000c: wfi " ]; then
	echo "PASS stuck/ring"
else
	echo "FAIL stuck/ring: $n entries, last two: $last2"
fi

# A guest whose trap vector faults (mtvec = 0, nothing there) takes traps forever without
# retiring an instruction: strata must not hang (not even --max-insns would end it otherwise).
printf '.globl _start\n_start:\n\tli t0, -1\n\tsw t0, 0(t0)\n' >"$tmp/storm.S"
if riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -Wl,-N \
	-Wl,-Ttext=0x80000000 -o "$tmp/storm.elf" "$tmp/storm.S" 2>"$tmp/cc.err"; then
	timeout 20 "$STRATA" run -bios none -kernel "$tmp/storm.elf" --max-insns 1000 </dev/null \
		>"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ $status -eq 65 ] && grep -q "^strata: the guest makes no progress: every hart traps without retiring" "$tmp/err" &&
		grep -q "pc 0000000000000000 priv M" "$tmp/err"; then
		echo "PASS stuck/trap_storm"
	else
		echo "FAIL stuck/trap_storm: status $status, $(head -n 1 "$tmp/err")"
	fi
else
	echo "FAIL stuck/trap_storm build: $(head -n 1 "$tmp/cc.err")"
fi

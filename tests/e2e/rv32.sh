#!/bin/bash
# e2e/rv32 — RV32 and RV32E harts (issue 19) beyond riscv-tests (tests/e2e/riscv_tests.sh runs
# the rv32 suites and tests/e2e/difftest.sh compares with qemu-system-riscv32):
#   rv32e:   tests/e2e/data/rv32e.S on -cpu rv32e: misa (MXL 1, E, no I), x16 is illegal
#   bench:   the benchmark guest built for RV32 prints qemu-system-riscv32's checksums
#   dt:      the device tree says rv32 and sv32
#   ftrace:  tests/e2e/data/rv32_fib.c (c.jal calls): exactly 15 calls of fib, and --insns
#            disassembles as RV32 (c.jal as jal, which RV64's decoder would call c.addiw)
#   gdb:     gdb-multiarch sees riscv:rv32 with 32-bit registers, breaks, backtraces, writes
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
data=$root/tests/e2e/data
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
cc=riscv64-unknown-elf-gcc
ldf=(-nostdlib -nostartfiles -static -Wl,-n -Wl,--no-warn-rwx-segments -T "$data/rv32.ld")
fail=0
pass() { echo "PASS rv32/$1"; }
fail() {
	echo "FAIL rv32/$1: $2"
	fail=1
}

# ---- rv32e
if $cc -march=rv32e_zicsr -mabi=ilp32e "${ldf[@]}" -o "$tmp/rv32e.elf" "$data/rv32e.S" 2>"$tmp/cc.err"; then
	timeout 20 "$strata" run -cpu rv32e -bios none -kernel "$tmp/rv32e.elf" >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
	[ $rc -eq 0 ] && pass rv32e-x16-illegal ||
		fail rv32e-x16-illegal "exit $rc: $(grep 'exit code' "$tmp/err")"
	# the same program on plain RV32 fails its first check (misa.E)
	timeout 20 "$strata" run -cpu rv32 -bios none -kernel "$tmp/rv32e.elf" >/dev/null 2>"$tmp/err" </dev/null
	grep -q 'guest exit code 2$' "$tmp/err" && pass rv32-is-not-rv32e ||
		fail rv32-is-not-rv32e "$(head -1 "$tmp/err")"
else
	fail rv32e-build "$(head -3 "$tmp/cc.err")"
fi

# ---- bench: the whole of RV32GC at work (integer, M, FP double), against QEMU
c=$root/tests/guests/common
if $cc -march=rv32gc -mabi=ilp32d -mcmodel=medany -nostdlib -nostartfiles -ffreestanding -fno-builtin \
	-O2 -I"$c" -DGUEST_IO_ONLY -DROUNDS=3 -T "$c/link.ld" -Wl,--no-warn-rwx-segments -static \
	-o "$tmp/bench32.elf" "$root/bench/guest/start32.S" "$c/guest.c" "$root/bench/guest/bench.c" -lgcc \
	2>"$tmp/cc.err"; then
	timeout 60 "$strata" run -cpu rv32 -bios none -kernel "$tmp/bench32.elf" >"$tmp/s.out" 2>"$tmp/s.err" </dev/null
	timeout 60 qemu-system-riscv32 -M virt -nographic -bios none -kernel "$tmp/bench32.elf" >"$tmp/q.out" 2>&1 </dev/null
	if ! grep -q 'bench: total' "$tmp/q.out"; then
		fail bench-checksums "qemu-system-riscv32 printed no checksum: $(head -c 200 "$tmp/q.out")"
	elif cmp -s "$tmp/s.out" "$tmp/q.out"; then
		pass bench-checksums
	else
		fail bench-checksums "$(diff "$tmp/q.out" "$tmp/s.out" | head -5 | tr '\n' ' ')"
	fi
else
	fail bench-build "$(head -3 "$tmp/cc.err")"
fi

# ---- ftrace and itrace
if $cc -march=rv32imac -mabi=ilp32 -O1 -g -fno-inline "${ldf[@]}" -o "$tmp/fib.elf" "$data/rv32_fib.c" 2>"$tmp/cc.err"; then
	timeout 20 "$strata" run -cpu rv32 -bios none -kernel "$tmp/fib.elf" --trace=itrace,ftrace \
		--trace-out "$tmp/fib.trace" >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
	"$strata" dump "$tmp/fib.trace" >"$tmp/dump" 2>&1
	n=$(grep -c 'fib() {' "$tmp/dump")
	[ $rc -eq 0 ] && [ "$n" = 15 ] && pass ftrace-fib-calls ||
		fail ftrace-fib-calls "exit $rc, $n calls of fib (want 15)"
	"$strata" dump "$tmp/fib.trace" --insns >"$tmp/insns" 2>&1
	fibaddr=$(riscv64-unknown-elf-nm "$tmp/fib.elf" | awk '$3 == "fib" { sub(/^0*/, "", $1); print $1 }')
	if grep -q "jal 0x$fibaddr\$" "$tmp/insns"; then
		pass itrace-rv32-disasm
	else
		fail itrace-rv32-disasm "no 'jal 0x$fibaddr' in: $(grep -m3 jal "$tmp/insns" | tr '\n' ' ')"
	fi
else
	fail fib-build "$(head -3 "$tmp/cc.err")"
fi

# ---- device tree
if timeout 20 "$strata" run -cpu rv32 -bios none -kernel "$tmp/fib.elf" --dump-dtb "$tmp/dtb" \
	>/dev/null 2>&1 </dev/null; then
	isa=$(fdtget "$tmp/dtb" /cpus/cpu@0 riscv,isa)
	mmu=$(fdtget "$tmp/dtb" /cpus/cpu@0 mmu-type)
	case $isa in rv32imafdc_*) pass dt-isa ;; *) fail dt-isa "riscv,isa = $isa" ;; esac
	[ "$mmu" = riscv,sv32 ] && pass dt-mmu-type || fail dt-mmu-type "mmu-type = $mmu"
else
	fail dt "strata run --dump-dtb failed"
fi

# ---- gdb
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$strata" run -cpu rv32 -bios none -kernel "$tmp/fib.elf" --gdb "127.0.0.1:$port" -S >/dev/null 2>"$tmp/gdb.err" </dev/null &
spid=$!
for _ in $(seq 50); do grep -q listening "$tmp/gdb.err" && break; sleep 0.1; done
timeout 60 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' "$tmp/fib.elf" \
	-ex "target remote 127.0.0.1:$port" -ex 'show architecture' -ex 'break fib if n == 1' \
	-ex continue -ex 'bt' -ex 'p $a0' -ex 'p sizeof($pc)' -ex 'p/x $misa' \
	-ex 'set var $a1 = -5' -ex 'p $a1' -ex 'kill' >"$tmp/gdb.out" 2>&1
wait $spid 2>/dev/null
grep -q 'currently "riscv:rv32"' "$tmp/gdb.out" && pass gdb-architecture ||
	fail gdb-architecture "$(grep -m1 architecture "$tmp/gdb.out")"
# the first fib(1) is five calls deep: fib(5) fib(4) fib(3) fib(2) fib(1), under main
[ "$(grep -c '^#[0-9].* fib ' "$tmp/gdb.out")" = 5 ] && grep -q '^#5 .*main' "$tmp/gdb.out" &&
	pass gdb-backtrace || fail gdb-backtrace "$(grep '^#' "$tmp/gdb.out" | tr '\n' ' ')"
grep -q '^\$1 = 1$' "$tmp/gdb.out" && grep -q '^\$2 = 4$' "$tmp/gdb.out" &&
	grep -q '^\$3 = 0x4014112d$' "$tmp/gdb.out" && grep -q '^\$4 = -5$' "$tmp/gdb.out" &&
	pass gdb-registers || fail gdb-registers "$(grep '^\$' "$tmp/gdb.out" | tr '\n' ' ')"
exit $fail

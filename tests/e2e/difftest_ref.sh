#!/bin/bash
# e2e/difftest_ref — libstrata-ref.so as NEMU's difftest reference, driven by the project's own
# DUT (tests/difftest-ref/dut.c: an RV64IM interpreter that dlopens the library the way NEMU's
# dut.c does and compares every instruction):
#   api          the library exports NEMU's five functions and strata_ref_ring, nothing else
#   cpu-tests    every riscv64-nemu, riscv32-nemu and riscv32e-nemu cpu-test runs to its trap
#                with every instruction matched (NEMU's riscv32 layout: 4-byte registers, 16 on
#                RV32E; STRATA_REF_CPU=rv32/rv32e)
#   inject       a register flipped on purpose in the DUT is reported at the next instruction,
#                with the reference's registers and last instructions (strata_ref_ring)
#   trace        STRATA_REF_TRACE records the reference's run; `strata dump --format=nemu` of it
#                has the program's calls
#   csrs         tests/difftest-ref/trap.S (ecall/mret five times) on rv64, rv32, rv32e: an ecall
#                is one step, as in NEMU; with the DUT's CSRs after pc (dut --csrs,
#                STRATA_REF_CSRS=mstatus,mtvec,mepc,mcause, by name or number) every instruction
#                matches, and a wrong mepc (dut --bug mepc) is reported right after the ecall; GPRs
#                and pc alone do not see it; a bad STRATA_REF_CSRS gets one line and exit 2
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
lib=$(dirname "$strata")/libstrata-ref.so
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pass() { echo "PASS difftest-ref/$1"; }
fail() { echo "FAIL difftest-ref/$1: $2"; }

if [ ! -f "$lib" ]; then
	fail build "$lib missing (make ref)"
	exit 1
fi
# the sanitizer build's library needs ASan's runtime loaded first: the DUT is built with it too
san=""
if ldd "$lib" 2>/dev/null | grep -q libasan; then
	san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
fi
# shellcheck disable=SC2086
if ! gcc -O2 -Wall -Wextra -Werror $san -o "$work/dut" "$root/tests/difftest-ref/dut.c" -ldl 2>"$work/cc.err"; then
	fail build "$(head -n 3 "$work/cc.err")"
	exit 1
fi
nemu=$("$root/scripts/am/build" riscv64-nemu 2>"$work/build.err")
if [ $? -ne 0 ] || [ ! -d "$nemu" ]; then
	fail build/riscv64-nemu "$(tail -n 3 "$work/build.err" | tr '\n' ' ')"
	exit 1
fi

exports=$(nm -D --defined-only "$lib" | awk '{ print $3 }' | sort | tr '\n' ' ')
want="difftest_exec difftest_init difftest_memcpy difftest_raise_intr difftest_regcpy strata_ref_ring "
if [ "$exports" = "$want" ]; then pass api; else fail api "exports: $exports"; fi

# cpus ARCH ISA DIR: every cpu-test of DIR under the DUT and the reference, both ISA
cpus() {
	local arch=$1 isa=$2 dir=$3 n=0 bin t rc want_rc
	for bin in "$dir"/*.bin; do
		t=$(basename "$bin" .bin)
		case $t in amtest-* | microbench-* | coremark | dhrystone | alutest) continue ;; esac
		n=$((n + 1))
		STRATA_REF_CPU=$isa timeout 300 "$work/dut" --isa "$isa" "$lib" "$bin" >"$work/$arch-$t.out" 2>"$work/$arch-$t.err"
		rc=$?
		want_rc=0
		[ "$t" = wrong ] && want_rc=1
		if [ $rc -eq $want_rc ] && grep -q 'every instruction matched' "$work/$arch-$t.out"; then
			pass "$arch/$t"
		else
			fail "$arch/$t" "exit $rc: $(grep difftest "$work/$arch-$t.out" | head -n 2 | tr '\n' '|') $(head -n 1 "$work/$arch-$t.err")"
		fi
	done
	[ $n -ge 30 ] || fail "$arch/count" "only $n cpu-tests"
}
cpus riscv64-nemu rv64 "$nemu"
for a in riscv32-nemu:rv32 riscv32e-nemu:rv32e; do
	if dir=$("$root/scripts/am/build" "${a%:*}" 2>"$work/build.err") && [ -d "$dir" ]; then
		cpus "${a%:*}" "${a#*:}" "$dir"
	else
		fail "build/${a%:*}" "$(tail -n 3 "$work/build.err" | tr '\n' ' ')"
	fi
done
# RV32E: a5 flipped after the 30th instruction of fib, reported with the 4-byte layout
if [ -n "${dir:-}" ] && [ -f "$dir/fib.bin" ]; then
	STRATA_REF_CPU=rv32e timeout 60 "$work/dut" --isa rv32e --inject 30:15 "$lib" "$dir/fib.bin" >"$work/inj32.out" 2>"$work/inj32.err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q '^difftest: a5 is 0x[0-9a-f]* on the DUT' "$work/inj32.out" &&
		grep -q '^difftest: mismatch after 30 instructions$' "$work/inj32.out"; then
		pass riscv32e-nemu/inject
	else
		fail riscv32e-nemu/inject "exit $rc: $(tr '\n' '|' <"$work/inj32.out" | head -c 300)"
	fi
fi

# a0 flipped after the 20th instruction of add: the DUT reports a0 after instruction 20
timeout 60 "$work/dut" --inject 20:10 "$lib" "$nemu/add.bin" >"$work/inj.out" 2>"$work/inj.err"
rc=$?
if [ $rc -eq 1 ] && grep -q '^difftest: a0 is 0x[0-9a-f]* on the DUT, 0x[0-9a-f]* on the reference' "$work/inj.out" &&
	grep -q '^difftest: mismatch after 20 instructions$' "$work/inj.out" &&
	[ "$(grep -c '^difftest: .* on the DUT' "$work/inj.out")" -eq 1 ]; then
	pass inject/reported
else
	fail inject/reported "exit $rc: $(tr '\n' '|' <"$work/inj.out" | head -c 300)"
fi
if grep -q "^strata-ref: the reference's state and last instructions:" "$work/inj.err" &&
	grep -q '^last [0-9]* instructions (oldest first):' "$work/inj.err" &&
	[ "$(grep -cE '^  00000000800[0-9a-f]{5}:  [0-9a-f]{8}  ' "$work/inj.err")" -ge 10 ]; then
	pass inject/ring
else
	fail inject/ring "$(head -n 5 "$work/inj.err" | tr '\n' '|')"
fi

# the reference's whole run as a strata trace
STRATA_REF_TRACE=$work/ref.trace STRATA_REF_SYM=$nemu/recursion.elf timeout 120 "$work/dut" "$lib" \
	"$nemu/recursion.bin" >"$work/rec.out" 2>"$work/rec.err"
rc=$?
"$strata" dump --format=nemu "$work/ref.trace" >"$work/ref.nemu" 2>"$work/dump.err"
calls=$(grep -cE ': +(call|tail) \[f[0-3]@' "$work/ref.nemu")
if [ $rc -eq 0 ] && grep -qE ': +call \[main@0x' "$work/ref.nemu" && [ "$calls" -eq 218 ]; then
	pass trace
else
	fail trace "exit $rc, $calls calls of f0..f3: $(head -n 2 "$work/dump.err" "$work/rec.err" | tr '\n' '|')"
fi

# csrs: CPU_state with CSRs after pc. trap.S assembled for each ISA with binutils (no libc).
csr_list=mstatus,mtvec,mepc,mcause
for x in rv64:elf64lriscv:rv64i_zicsr:lp64 rv32:elf32lriscv:rv32i_zicsr:ilp32 rv32e:elf32lriscv:rv32e_zicsr:ilp32e; do
	IFS=: read -r isa emu march mabi <<<"$x"
	img=$work/trap-$isa
	if ! riscv64-linux-gnu-as -march="$march" -mabi="$mabi" -o "$img.o" "$root/tests/difftest-ref/trap.S" 2>"$work/as.err" ||
		! riscv64-linux-gnu-ld -m "$emu" -n -Ttext=0x80000000 -o "$img.elf" "$img.o" 2>>"$work/as.err" ||
		! riscv64-linux-gnu-objcopy -O binary "$img.elf" "$img.bin" 2>>"$work/as.err"; then
		fail "csrs/$isa/build" "$(head -n 2 "$work/as.err" | tr '\n' ' ')"
		continue
	fi
	# run NAME CSRS DUT-ARGS...: the DUT on trap.S, output in $work/NAME.out, status in $rc
	run() {
		local name=$1 csrs=$2
		shift 2
		STRATA_REF_CPU=$isa STRATA_REF_CSRS=$csrs timeout 60 "$work/dut" --isa "$isa" "$@" "$lib" "$img.bin" \
			>"$work/$name.out" 2>"$work/$name.err"
		rc=$?
	}
	run "$isa-gpr" "" # an ecall is one step: the handler's first instruction is the next
	if [ $rc -eq 0 ] && grep -q 'every instruction matched' "$work/$isa-gpr.out"; then
		pass "csrs/$isa/ecall-step"
	else
		fail "csrs/$isa/ecall-step" "exit $rc: $(head -n 2 "$work/$isa-gpr.out" | tr '\n' '|')"
	fi
	run "$isa-csr" "$csr_list" --csrs
	if [ $rc -eq 0 ] && grep -q 'every instruction matched' "$work/$isa-csr.out"; then
		pass "csrs/$isa/matched"
	else
		fail "csrs/$isa/matched" "exit $rc: $(head -n 2 "$work/$isa-csr.out" | tr '\n' '|')"
	fi
	# the first ecall is the 8th instruction, at 0x8000001c; the handler returns through t1
	run "$isa-bug" "$csr_list" --csrs --bug mepc
	if [ $rc -eq 1 ] && grep -q '^difftest: mepc is 0x0*80000020 on the DUT, 0x0*8000001c on the reference' "$work/$isa-bug.out" &&
		grep -q '^difftest: mismatch after 8 instructions$' "$work/$isa-bug.out" &&
		[ "$(grep -c '^difftest: .* on the DUT' "$work/$isa-bug.out")" -eq 1 ]; then
		pass "csrs/$isa/wrong-mepc-caught"
	else
		fail "csrs/$isa/wrong-mepc-caught" "exit $rc: $(head -n 3 "$work/$isa-bug.out" | tr '\n' '|')"
	fi
	# the same bug with GPRs and pc alone goes unseen: why a DUT with CSRs wants them compared
	run "$isa-bug-gpr" "" --bug mepc
	if [ $rc -eq 0 ] && grep -q 'every instruction matched' "$work/$isa-bug-gpr.out"; then
		pass "csrs/$isa/gpr-only-misses-it"
	else
		fail "csrs/$isa/gpr-only-misses-it" "exit $rc: $(head -n 2 "$work/$isa-bug-gpr.out" | tr '\n' '|')"
	fi
done
# CSR numbers work as names do; an unknown name is one line and exit 2
run rv32e-num 0x300,0x305,0x341,0x342 --csrs --bug mepc
if [ $rc -eq 1 ] && grep -q '^difftest: mepc is 0x0*80000020 on the DUT' "$work/rv32e-num.out"; then
	pass csrs/by-number
else
	fail csrs/by-number "exit $rc: $(head -n 2 "$work/rv32e-num.out" | tr '\n' '|')"
fi
run rv32e-badname mstatus,mtvecc --csrs
if [ $rc -eq 2 ] && [ "$(wc -l <"$work/rv32e-badname.err")" -eq 1 ] &&
	grep -q "^strata-ref: STRATA_REF_CSRS: 'mtvecc' is not a CSR of this hart$" "$work/rv32e-badname.err"; then
	pass csrs/bad-name
else
	fail csrs/bad-name "exit $rc: $(head -n 2 "$work/rv32e-badname.err" | tr '\n' '|')"
fi

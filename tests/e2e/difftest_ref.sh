#!/bin/bash
# e2e/difftest_ref — libstrata-ref.so as NEMU's difftest reference, driven by the project's own
# DUT (tests/difftest-ref/dut.c: an RV64IM interpreter that dlopens the library the way NEMU's
# dut.c does and compares every instruction):
#   api          the library exports NEMU's five functions and strata_ref_ring, nothing else
#   cpu-tests    every riscv64-nemu cpu-test runs to its trap with every instruction matched
#   inject       a register flipped on purpose in the DUT is reported at the next instruction,
#                with the reference's registers and last instructions (strata_ref_ring)
#   trace        STRATA_REF_TRACE records the reference's run; `strata dump --format=nemu` of it
#                has the program's calls
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
if ! gcc -O2 -Wall -Wextra -Werror -o "$work/dut" "$root/tests/difftest-ref/dut.c" -ldl 2>"$work/cc.err"; then
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

n=0
for bin in "$nemu"/*.bin; do
	t=$(basename "$bin" .bin)
	case $t in amtest-* | microbench-* | coremark | dhrystone | alutest) continue ;; esac
	n=$((n + 1))
	timeout 300 "$work/dut" "$lib" "$bin" >"$work/$t.out" 2>"$work/$t.err"
	rc=$?
	want_rc=0
	[ "$t" = wrong ] && want_rc=1
	if [ $rc -eq $want_rc ] && grep -q 'every instruction matched' "$work/$t.out"; then
		pass "cpu-tests/$t"
	else
		fail "cpu-tests/$t" "exit $rc: $(grep difftest "$work/$t.out" | head -n 2 | tr '\n' '|') $(head -n 1 "$work/$t.err")"
	fi
done
[ $n -ge 30 ] || fail cpu-tests/count "only $n cpu-tests"

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

#!/bin/sh
# Differential test of strata's CPU against qemu-system-riscv64, and at RV32 against
# qemu-system-riscv32 (see tests/difftest/README.md).
# Fixed seeds 1..8 (always the same programs, ~32k random instructions) plus one seed from the UTC
# date (new programs every day; the seed is in the check name, so a failure reproduces with
# `tests/difftest/run --seed <seed>`), fixed seeds on three other -cpu configurations, then two
# self-checks of the harness.
cd "$(dirname "$0")/../.." || exit 1
STRATA=${STRATA:-${BUILD:-build}/strata}
fail=0

tests/difftest/run --strata "$STRATA" --seed 1 --programs 8 --coverage || fail=1
tests/difftest/run --strata "$STRATA" --seed "$(date -u +%Y%m%d)" --programs 1 || fail=1
# Other machines (docs/ISA.md), QEMU given the same -cpu: every extension QEMU 7.2 has switched
# on; the default ones off (their instructions must trap exactly as in QEMU) with F, D and H off
# too; no C with only Zfhmin of the half-precision ones.
tests/difftest/run --strata "$STRATA" --seed 101 --programs 4 --coverage \
	--cpu zbkb=on,zbkc=on,zbkx=on,Zfh=on,svinval=on,svpbmt=on,svnapot=on || fail=1
tests/difftest/run --strata "$STRATA" --seed 201 --programs 2 \
	--cpu zba=off,zbb=off,zbc=off,zbs=off,d=off,f=off,h=off || fail=1
tests/difftest/run --strata "$STRATA" --seed 301 --programs 2 --cpu c=off,Zfhmin=on,zbkb=on || fail=1
# RV32 (issue 19): -cpu rv32 against qemu-system-riscv32, the same seeds and machines
tests/difftest/run --strata "$STRATA" --xlen 32 --seed 1 --programs 8 --coverage || fail=1
tests/difftest/run --strata "$STRATA" --xlen 32 --seed 101 --programs 4 --coverage \
	--cpu zbkb=on,zbkc=on,zbkx=on,Zfh=on,svinval=on || fail=1
tests/difftest/run --strata "$STRATA" --xlen 32 --seed 201 --programs 2 \
	--cpu zba=off,zbb=off,zbc=off,zbs=off,d=off,f=off || fail=1

# The harness is deterministic: the same program twice on QEMU gives identical dumps.
out=$(tests/difftest/run --qemu-only --seed 100 --programs 1 2>&1)
if echo "$out" | grep -q '^PASS difftest-seed-100:'; then
	echo "PASS difftest-harness-deterministic"
else
	echo "FAIL difftest-harness-deterministic: $(echo "$out" | head -n 3 | tr '\n' ' ')"
	fail=1
fi

# The harness finds a bug: a "strata" that executes divuw as divw must fail, naming divuw.
out=$(tests/difftest/run --strata tests/difftest/buggy-strata --seed 1 --programs 1 2>&1)
if echo "$out" | grep -q '^FAIL difftest-seed-1: block' &&
	echo "$out" | grep -A 4 'first differing instruction' | grep -q 'divuw'; then
	echo "PASS difftest-detects-injected-bug"
else
	echo "FAIL difftest-detects-injected-bug: $(echo "$out" | head -n 3 | tr '\n' ' ')"
	fail=1
fi
exit $fail

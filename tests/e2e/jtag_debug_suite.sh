#!/bin/bash
# e2e/jtag_debug_suite — the RISC-V debug-spec suite (../shared/ext/riscv-tests/debug,
# gdbserver.py), unchanged, against strata's JTAG: the suite is copied to a work directory at test
# time (nothing of it is committed), the target is tests/jtag/debug/strata64.py (+ .cfg, .lds),
# Debian's openocd runs through tests/jtag/debug/openocd-compat (newer option spellings),
# programs are built with riscv64-unknown-elf-gcc and picolibc's headers, GDB is gdb-multiarch.
# One PASS/FAIL line per suite test; `not_applicable` (the suite's own verdict for a feature the
# target says it lacks) is shown as SKIP with the suite's reason. Each test starts strata, OpenOCD
# and GDB (~15 s), so make test runs the fast subset below; JTAG_SUITE=all runs all of them
# (docs/JTAG.md has the full run's results).
# tests/run: not-sanitizer
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
# ../shared/ext beside the checkout (or beside the directory of worktrees holding it)
ext=$root/../shared/ext
[ -d "$ext/riscv-tests/debug" ] || ext=$root/../../shared/ext
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -n "${JTAG_SUITE_KEEP:-}" ] || rm -rf "$work"' EXIT

FAST="SimpleS0Test SimpleF18Test WriteCsrs MemTest64 MemTestBlock1 DebugBreakpoint StepTest \
InstantHaltTest PrivRw Sv39Test DownloadTest Hwbp1 ProgramHwWatchpoint"
tests=$FAST
[ "${JTAG_SUITE:-}" = all ] && tests=
# JTAG_SUITE="Test1 Test2": just those, on one hart
case ${JTAG_SUITE:-} in '' | all) ;; *) tests=$JTAG_SUITE ;; esac

for tool in openocd gdb-multiarch riscv64-unknown-elf-gcc nc; do
	command -v $tool >/dev/null || { echo "FAIL jtag-suite: $tool is not installed (scripts/install-deps)"; exit 1; }
done
python3 -c 'import pexpect' 2>/dev/null || { echo "FAIL jtag-suite: python3-pexpect is not installed"; exit 1; }
[ -f "$ext/riscv-tests/debug/gdbserver.py" ] || { echo "FAIL jtag-suite: $ext/riscv-tests/debug missing"; exit 1; }

mkdir -p "$work/riscv-tests"
cp -r "$ext/riscv-tests/debug" "$ext/riscv-tests/env" "$work/riscv-tests/"
chmod -R u+w "$work/riscv-tests"
# the store keeps git symlinks as small files holding the link's target: make them real copies
find "$work/riscv-tests/debug" -type f -size -200c | while read -r f; do
	t=$(head -c 200 "$f")
	case $t in *$'\n'* | '') continue ;; esac
	[ -f "$(dirname "$f")/$t" ] && cp "$(dirname "$f")/$t" "$f"
done
# picolibc's headers (stdint.h: the cross compiler has no libc); not its specs, whose
# --gc-sections would drop the suite's entry code; the programs call no libc function
printf '#!/bin/sh\nexec riscv64-unknown-elf-gcc -isystem /usr/lib/picolibc/riscv64-unknown-elf/include -nostdlib "$@" -lgcc\n' >"$work/gcc"
chmod +x "$work/gcc"

cd "$work/riscv-tests/debug" || exit 1
# suite TARGET TESTS...: run gdbserver.py on tests/jtag/debug/TARGET.py (all tests if none given)
suite() {
	local target=$1
	shift
	STRATA=$strata timeout 3000 python3 gdbserver.py --gcc "$work/gcc" --gdb gdb-multiarch \
		--server_cmd "$root/tests/jtag/debug/openocd-compat" \
		"$root/tests/jtag/debug/$target.py" "$@" >>"$work/suite.out" 2>&1
}
# shellcheck disable=SC2086
suite strata64 $tests
# two harts: one OpenOCD target each, halted and resumed separately
if [ "${JTAG_SUITE:-}" = all ]; then
	suite strata64_2 Multicore Smp StepThread2
elif [ -z "${JTAG_SUITE:-}" ]; then
	suite strata64_2 MulticoreRunAllHaltOne
fi
awk '
	/^\[[A-Za-z0-9_]+\] Starting > / { lg[substr($1, 2, length($1) - 2)] = $4 }
	/^\[[A-Za-z0-9_]+\] (pass|fail|exception|not_applicable) in/ {
		name = substr($1, 2, length($1) - 2); r = $2; seen++
		if (r == "pass") print "PASS jtag-suite/" name
		else if (r == "not_applicable") print "SKIP jtag-suite/" name ": not applicable to the target (the suite'"'"'s verdict)"
		else print "FAIL jtag-suite/" name ": " r " (" lg[name] ")"
	}
	END { if (!seen) print "FAIL jtag-suite: gdbserver.py ran no test" }' "$work/suite.out"
if grep -q ' returned \(fail\|exception\)' "$work/suite.out"; then
	for log in $(grep -o 'logs/[^ ]*\.log' "$work/suite.out" | sort -u); do
		grep -q '^Result: \(fail\|exception\)' "$log" 2>/dev/null || continue
		echo "  | $log:"
		grep -m 3 -B2 'Error\|assert\|Exception' "$log" | sed 's/^/  |   /'
	done
fi

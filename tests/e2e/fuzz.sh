#!/bin/bash
# e2e/fuzz — a bounded libFuzzer run of the GDB stub's packet path ($BUILD/fuzz/rsp_stub_fuzz,
# built by `make fuzz` with clang's fuzzer runtime, ASan and UBSan) from the seed corpus in
# tests/fuzz/corpus. FUZZ_SECONDS (default 30) bounds it; a crash, a leak, a sanitizer report or
# a malformed reply fails the test, and the reproducer is printed (run the binary on it).
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${BUILD:-$root/build}
fuzzer=$build/fuzz/rsp_stub_fuzz
secs=${FUZZ_SECONDS:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$fuzzer" ]; then
	echo "FAIL fuzz/rsp_stub: $fuzzer not built (make fuzz; needs clang)"
	exit 1
fi
mkdir "$work/corpus"
cp "$root"/tests/fuzz/corpus/* "$work/corpus/"
if (cd "$work" && "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 corpus >"$work/log" 2>&1); then
	runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -oE '[0-9]+$')
	echo "PASS fuzz/rsp_stub (${runs:-?} inputs in ${secs} s)"
else
	echo "FAIL fuzz/rsp_stub"
	grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$work/log" | head -n 12 | sed 's/^/  | /'
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
		[ -f "$f" ] && { echo "  | reproducer (hex): $(od -An -tx1 -v "$f" | tr -d " \n" | head -c 400)"; }
	done
	exit 1
fi

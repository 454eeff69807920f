#!/bin/bash
# e2e/guests — run each bare-metal guest (tests/guests/build/<name>.elf) on strata and compare
# stdout plus "exit N" with tests/golden/guests/<name>.out (recorded on QEMU 7.2, the reference).
# GUESTS="modes pmp" limits the run; GUEST_EMU=qemu runs the same checks on QEMU (harness check,
# with tests/guests/deviations/<name>.sed applied as for the golden files).
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
emu=${GUEST_EMU:-strata}
max_insns=${GUEST_MAX_INSNS:-200000000}
time_limit=${GUEST_TIMEOUT:-60}
gdir=$root/tests/guests
golden=$root/tests/golden/guests

names=${GUESTS:-$(cd "$gdir/src" && ls *.c | sed 's/\.c$//')}
if [ "$emu" = strata ] && [ ! -x "$strata" ]; then
	echo "FAIL guests: strata binary '$strata' not built"
	exit 1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for n in $names; do
	elf=$gdir/build/$n.elf
	if [ ! -f "$golden/$n.out" ]; then
		echo "FAIL guests/$n: no golden file tests/golden/guests/$n.out (make -C tests/guests golden)"
		continue
	fi
	if [ ! -f "$elf" ]; then
		echo "FAIL guests/$n: $elf not built (make guests)"
		continue
	fi
	# src/NAME.cpu: the -cpu properties the guest needs (tests/guests/Makefile)
	props=
	[ -f "$gdir/src/$n.cpu" ] && props=,$(head -n 1 "$gdir/src/$n.cpu")
	if [ "$emu" = qemu ]; then
		if grep -q '^strata-only:' "$gdir/src/$n.cpu" 2>/dev/null; then
			echo "SKIP guests/$n: $(sed -n 's/^strata-only: //p' "$gdir/src/$n.cpu")"
			continue
		fi
		timeout "$time_limit" qemu-system-riscv64 -M virt -cpu "rv64$props" -nographic \
			-bios none -kernel "$elf" >"$out" 2>/dev/null </dev/null
	else
		timeout "$time_limit" "$strata" run -cpu "rv64$props" -bios none -kernel "$elf" \
			--max-insns "$max_insns" >"$out" 2>"$out.err" </dev/null
	fi
	echo "exit $?" >>"$out"
	# QEMU's own output differs where strata follows the spec (tests/guests/deviations/).
	if [ "$emu" = qemu ] && [ -f "$gdir/deviations/$n.sed" ]; then
		sed -i -f "$gdir/deviations/$n.sed" "$out"
	fi
	if cmp -s "$out" "$golden/$n.out"; then
		echo "PASS guests/$n"
	else
		first=$(diff "$golden/$n.out" "$out" | grep -m1 '^[<>]')
		echo "FAIL guests/$n: output differs from golden; first: $first"
		diff -u "$golden/$n.out" "$out" | tail -n +3 | head -n 40 | sed 's/^/  /'
		[ -s "$out.err" ] && head -n 20 "$out.err" | sed 's/^/  stderr: /'
	fi
	rm -f "$out.err"
done

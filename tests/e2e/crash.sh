#!/bin/bash
# A crash of strata itself (SIGSEGV, SIGBUS, SIGABRT: a bug in strata, here sent with kill) while
# it records: the trace must hold every event up to the crash, including the ones still in the
# per-hart buffers (util/crash.h flushes them), stderr says it is an internal error, and strata
# dies of the signal (status 128+N; the sanitizer build may report it its own way).
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
STRATA=${STRATA:-$root/build/strata}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# three calls: 7 ftrace events (the boot ROM's `jr t0` is a return by the calling convention,
# then 3 calls and 3 returns), far below a 64 KiB chunk, so they are still buffered; then a spin
printf '%s\n' '.globl _start' '_start:' '	li sp, 0x80100000' '	call f' '	call f' '	call f' \
	'spin:	j spin' 'f:	ret' >"$tmp/calls.S"
if ! riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -Wl,-N \
	-Wl,-Ttext=0x80000000 -o "$tmp/calls.elf" "$tmp/calls.S" 2>"$tmp/cc.err"; then
	echo "FAIL crash/build: $(head -n 1 "$tmp/cc.err")"
	exit 1
fi

for sig in SEGV BUS ABRT; do
	t=$tmp/$sig.trace
	"$STRATA" run -bios none -kernel "$tmp/calls.elf" --trace=ftrace --trace-out "$t" \
		</dev/null >"$tmp/$sig.out" 2>"$tmp/$sig.err" &
	pid=$!
	# wait until the run is under way (the trace file exists), then crash it
	for _ in $(seq 100); do [ -s "$t" ] && break; sleep 0.1; done
	sleep 0.5
	kill -"$sig" "$pid"
	wait "$pid"
	st=$?
	pid=
	want=$((128 + $(kill -l "$sig")))
	if [ "$st" = "$want" ] || grep -q "Sanitizer" "$tmp/$sig.err"; then
		echo "PASS crash/$sig/dies_of_the_signal"
	else
		echo "FAIL crash/$sig/dies_of_the_signal: status $st, want $want"
	fi
	if grep -q "^strata: internal error: SIG$sig (a bug in strata); the trace is written up to here$" \
		"$tmp/$sig.err"; then
		echo "PASS crash/$sig/message"
	else
		echo "FAIL crash/$sig/message: $(head -n 2 "$tmp/$sig.err" | tr '\n' ' ')"
	fi
	# the buffered events reached the file: exactly the three calls and the returns
	"$STRATA" info "$t" >"$tmp/$sig.info" 2>&1
	if grep -qx 'events: 7 (call 3, ret 4)' "$tmp/$sig.info" &&
		grep -q '^truncated at offset [0-9]* (no END chunk)' "$tmp/$sig.info"; then
		echo "PASS crash/$sig/trace_flushed"
	else
		echo "FAIL crash/$sig/trace_flushed: $(grep -E '^(events|truncated|chunks)' "$tmp/$sig.info" | tr '\n' ' ')"
	fi
done

#!/bin/bash
# e2e/tracefile — `strata info` on trace files (docs/TRACE-FORMAT.md): a synthetic trace written
# byte by byte from the format document (by python3, independently of strata's writer), a real
# trace of tests/guests/build/modes.elf, a truncated copy (reads, says "truncated"), a corrupted
# byte (exit 2, one line naming the offset), a file that is not a trace and a newer version (exit 2),
# and version-1 files (before the H extension's levels) read as the version-1 strata read them.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
if [ ! -x "$strata" ]; then
	echo "FAIL tracefile: strata binary '$strata' not built"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# info NAME FILE: run strata info; status in $status, output in $tmp/out and $tmp/err.
info() {
	timeout 60 "$strata" info "$2" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
}

# expect_ok NAME FILE PATTERN...: status 0, empty stderr, every grep -E PATTERN in stdout.
expect_ok() {
	local name=$1 file=$2 p
	shift 2
	info "$name" "$file"
	if [ "$status" -ne 0 ] || [ -s "$tmp/err" ]; then
		echo "FAIL tracefile/$name: status $status, stderr: $(head -c 300 "$tmp/err")"
		return
	fi
	for p in "$@"; do
		if ! grep -Eq -- "$p" "$tmp/out"; then
			echo "FAIL tracefile/$name: no line matching '$p' in:"
			sed 's/^/  /' "$tmp/out" | head -40
			return
		fi
	done
	echo "PASS tracefile/$name"
}

# expect_bad NAME FILE PATTERN: status 2, nothing on stdout, one stderr line matching PATTERN.
expect_bad() {
	local name=$1 file=$2 p=$3
	info "$name" "$file"
	if [ "$status" -ne 2 ] || [ -s "$tmp/out" ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
		! grep -Eq -- "$p" "$tmp/err"; then
		echo "FAIL tracefile/$name: status $status (want 2), stdout $(wc -c <"$tmp/out") bytes," \
			"stderr (want one line matching '$p'): $(head -c 300 "$tmp/err")"
		return
	fi
	echo "PASS tracefile/$name"
}

# corrupt FILE OFFSET: flip every bit of one byte in place.
corrupt() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# 1. Synthetic trace: META, one EVENTS chunk of hart 0 (CODE page, three RUNs, a MARK), END.
synth=$tmp/synth.trace
python3 - "$synth" <<'EOF'
import struct, sys, zlib

def chunk(t, payload):
    head = struct.pack("<II", t, len(payload))
    return head + payload + struct.pack("<I", zlib.crc32(head + payload))

def uv(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7f) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)

def sv(v):
    return uv(((v << 1) ^ (v >> 63)) & (2**64 - 1))

M = 3 << 4  # privilege bits of the head byte
ev = struct.pack("<I", 0)  # hart 0
ev += bytes([9 | M]) + uv(0) + sv(0x80000000) + sv(0) + uv(0) + uv(8) + bytes.fromhex("9302100013000000")
ev += bytes([1 | M]) + uv(0) + sv(0x80000000 // 2)   # RUN at 0x80000000, instret 0
ev += bytes([1 | M]) + uv(5) + sv(0x40 // 2)         # RUN at 0x80000040, instret 5
ev += bytes([1 | M | 0x80]) + uv(7) + uv(100) + sv(-0x40 // 2)  # time jumped (WFI)
ev += bytes([10 | M]) + uv(3) + uv(4) + b"done"
meta = b"strata=test\nharts=1\nram=134217728\ncommand=tracefile.sh synthetic\n"
devs = b"0x10000000 0x100 uart0 0x0:THR,0x5:LSR\n"
end = b"events=5\ndropped=0\ninsns=15\n"
data = b"STRATATR" + struct.pack("<II", 1, 0)
data += chunk(1, meta) + chunk(3, devs) + chunk(4, ev) + chunk(5, end)
open(sys.argv[1], "wb").write(data)
EOF
expect_ok synthetic "$synth" '^format: strata trace version 1$' '^  command=tracefile.sh synthetic$' \
	'^harts: 1$' '^  0x10000000 0x100 uart0' 'chunks: meta 1, syms 0, devs 1, events 1, end 1' \
	'^events: 5 \(run 3, code 1, mark 1\)$' '^  hart 0: 5 events, instret 15 at the last' \
	'^instructions: 15$' '^dropped events: 0$'
if grep -q truncated "$tmp/out"; then
	echo "FAIL tracefile/synthetic-not-truncated: a complete trace reported as truncated"
else
	echo "PASS tracefile/synthetic-not-truncated"
fi

# 2. Truncated inside the EVENTS chunk: the chunks before it, "truncated at offset" its start.
size=$(stat -c %s "$synth")
head -c $((size - 45)) "$synth" >"$tmp/cut.trace"
expect_ok synthetic-truncated "$tmp/cut.trace" '^events: 0 \(none\)$' \
	'^truncated at offset [0-9]+' '^instructions: unknown'

# 3. Corruption: a META byte (chunk at offset 16), then a byte in the EVENTS payload.
cp "$synth" "$tmp/bad1.trace"
corrupt "$tmp/bad1.trace" 30
expect_bad corrupt-meta "$tmp/bad1.trace" "bad1.trace: offset 16: chunk checksum mismatch"
cp "$synth" "$tmp/bad2.trace"
corrupt "$tmp/bad2.trace" $((size - 60))
expect_bad corrupt-events "$tmp/bad2.trace" "bad2.trace: offset [0-9]+: chunk checksum mismatch"

# 4. Not a trace; a newer version; an empty file; a missing file; usage errors.
expect_bad not-a-trace /etc/passwd "passwd: not a strata trace"
printf 'STRATATR\x07\x00\x00\x00\x00\x00\x00\x00' >"$tmp/v7.trace"
expect_bad newer-version "$tmp/v7.trace" "version 7 is newer than this strata understands"
: >"$tmp/empty.trace"
expect_bad empty "$tmp/empty.trace" "empty.trace: not a strata trace"
expect_bad missing "$tmp/missing.trace" "missing.trace: No such file"
timeout 10 "$strata" info >"$tmp/out" 2>"$tmp/err" </dev/null
if [ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
	echo "PASS tracefile/no-argument"
else
	echo "FAIL tracefile/no-argument: want exit 2 and one line: $(cat "$tmp/err")"
fi

# 5. A real trace of a guest (a missing guest is a failure, as in trace.sh).
guest=$root/tests/guests/build/modes.elf
if [ ! -f "$guest" ]; then
	echo "FAIL tracefile/real: $guest missing (make guests)"
	exit 1
fi
real=$tmp/modes.trace
timeout 60 "$strata" run -bios none -kernel "$guest" --trace=all --trace-out "$real" \
	>"$tmp/run.out" 2>&1 </dev/null
if [ ! -s "$real" ]; then
	echo "FAIL tracefile/real: no trace written: $(tail -3 "$tmp/run.out")"
	exit 1
fi
expect_ok real "$real" '^harts: 1$' 'modes\.elf +priv any +[1-9][0-9]* symbols' \
	'^events: [1-9][0-9]* \(run [1-9]' 'call [1-9]' 'trap [1-9]' '^instructions: [1-9]' \
	'^dropped events: 0$'
# the totals in END agree with the events counted
counted=$(sed -n 's/^events: \([0-9]*\) .*/\1/p' "$tmp/out")
recorded=$(sed -n 's/^events recorded: \([0-9]*\)$/\1/p' "$tmp/out")
if [ -n "$counted" ] && [ "$counted" = "$recorded" ]; then
	echo "PASS tracefile/real-totals"
else
	echo "FAIL tracefile/real-totals: counted '$counted', END says '$recorded'"
fi

rsize=$(stat -c %s "$real")
head -c $((rsize * 2 / 3)) "$real" >"$tmp/real-cut.trace"
expect_ok real-truncated "$tmp/real-cut.trace" '^events: [1-9]' '^truncated at offset [0-9]+'
cp "$real" "$tmp/real-bad.trace"
corrupt "$tmp/real-bad.trace" $((rsize / 2))
expect_bad real-corrupt "$tmp/real-bad.trace" "real-bad.trace: offset [0-9]+: "

# 6. Version-1 files (written by strata before the H extension's levels, commit 65b3f25, kept in
# tests/e2e/data/v1 with that strata's report, folded stacks and instruction dump): read the same.
v1=$root/tests/e2e/data/v1
expect_ok v1-info "$v1/modes-etrace.trace" '^format: strata trace version 1$' \
	'^events: 369 \(call 129, ret 109, tail 60, trap 35, xret 36\)$'
# v1_same NAME GOLDEN CMD...: CMD's output equals the version-1 strata's
v1_same() {
	local name=$1 want=$2
	shift 2
	if ! timeout 60 "$strata" "$@" >"$tmp/v1.out" 2>"$tmp/v1.err" </dev/null; then
		echo "FAIL tracefile/$name: status $?: $(head -c 300 "$tmp/v1.err")"
	elif ! cmp -s "$tmp/v1.out" "$want"; then
		echo "FAIL tracefile/$name: differs from $want:"
		diff "$want" "$tmp/v1.out" | head -n 10 | sed 's/^/  | /'
	else
		echo "PASS tracefile/$name"
	fi
}
v1_same v1-report "$v1/modes-etrace.report" report "$v1/modes-etrace.trace"
v1_same v1-folded "$v1/modes-etrace.folded" dump "$v1/modes-etrace.trace" --format=folded
v1_same v1-insns "$v1/modes-all.insns.txt" dump "$v1/modes-all.trace" --insns
# and a trace written now is version 2
expect_ok real-version "$real" '^format: strata trace version 2$'

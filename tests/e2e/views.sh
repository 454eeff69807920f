#!/bin/bash
# e2e/views — `strata dump` and `strata report` on a synthetic trace (written by the views unit
# test) and, when it can be recorded, on a real trace of tests/guests/build/modes.elf: Perfetto
# output decoded with protoc against proto/strata_trace.proto, Chrome JSON validated by python,
# folded lines well-formed, bad and truncated files.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
build=${BUILD:-$root/build}
gen=$build/unit/views/view_test
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

pass() { echo "PASS views_$1"; }
bad() {
	echo "FAIL views_$1: $2"
	fail=1
}
decode() { protoc --decode=perfetto.protos.Trace --proto_path="$root/proto" "$root/proto/strata_trace.proto"; }

for tool in protoc python3; do
	command -v $tool >/dev/null || { bad setup "$tool missing (scripts/install-deps)"; exit 1; }
done
[ -x "$strata" ] && [ -x "$gen" ] || { bad setup "build $strata and $gen first"; exit 1; }

# The unit test's perfetto golden decodes to the reviewed text.
if decode <"$root/src/views/testdata/golden.pftrace" >"$tmp/golden.txt" 2>"$tmp/err" &&
	diff -u "$root/src/views/testdata/golden.pftrace.txt" "$tmp/golden.txt" >"$tmp/diff"; then
	pass golden_perfetto_decodes
else
	bad golden_perfetto_decodes "$(head -c 2000 "$tmp/err" "$tmp/diff")"
fi

# check_trace NAME FILE FUNCTION: every format on one trace file.
check_trace() {
	local n=$1 t=$2 fn=$3
	if "$strata" dump "$t" >"$tmp/$n.txt" 2>"$tmp/err" && grep -q "$fn() {" "$tmp/$n.txt"; then
		pass "${n}_text"
	else
		bad "${n}_text" "no '$fn() {' line: $(head -c 500 "$tmp/err" "$tmp/$n.txt")"
	fi
	if "$strata" dump "$t" --format=perfetto -o "$tmp/$n.pftrace" 2>"$tmp/err" &&
		decode <"$tmp/$n.pftrace" >"$tmp/$n.pf.txt" 2>>"$tmp/err"; then
		local b e
		b=$(grep -c 'type: TYPE_SLICE_BEGIN' "$tmp/$n.pf.txt")
		e=$(grep -c 'type: TYPE_SLICE_END' "$tmp/$n.pf.txt")
		if [ "$b" -gt 0 ] && [ "$b" = "$e" ] && grep -q "name: \"$fn\"" "$tmp/$n.pf.txt" &&
			grep -q 'name: "hart0 M"' "$tmp/$n.pf.txt"; then
			pass "${n}_perfetto"
		else
			bad "${n}_perfetto" "begin $b end $e, or no '$fn' / 'hart0 M' in the decoded trace"
		fi
	else
		bad "${n}_perfetto" "$(head -c 500 "$tmp/err")"
	fi
	# Piped stdout is not a terminal: binary output is allowed there.
	if [ -s "$tmp/$n.pftrace" ] &&
		"$strata" dump "$t" --format=perfetto 2>/dev/null | cmp -s - "$tmp/$n.pftrace"; then
		pass "${n}_perfetto_pipe"
	else
		bad "${n}_perfetto_pipe" "stdout differs from -o"
	fi
	if "$strata" dump "$t" --format=chrome -o "$tmp/$n.json" 2>"$tmp/err" &&
		python3 -m json.tool "$tmp/$n.json" >/dev/null 2>>"$tmp/err" &&
		grep -q "\"name\":\"$fn\"" "$tmp/$n.json"; then
		pass "${n}_chrome"
	else
		bad "${n}_chrome" "$(head -c 500 "$tmp/err")"
	fi
	if "$strata" dump "$t" --format=folded >"$tmp/$n.folded" 2>"$tmp/err" && [ -s "$tmp/$n.folded" ] &&
		! grep -vqE '^hart[0-9]+;[MSU][^;]*(;[^;]+)* [0-9]+$' "$tmp/$n.folded"; then
		pass "${n}_folded"
	else
		bad "${n}_folded" "$(head -c 500 "$tmp/err" "$tmp/$n.folded")"
	fi
	if "$strata" report "$t" >"$tmp/$n.report" 2>"$tmp/err" && grep -q "$fn" "$tmp/$n.report" &&
		grep -q 'functions by self instructions' "$tmp/$n.report"; then
		pass "${n}_report"
	else
		bad "${n}_report" "$(head -c 500 "$tmp/err" "$tmp/$n.report")"
	fi
}

"$gen" --write-trace "$tmp/syn.trace" || bad synthetic "view_test --write-trace failed"
check_trace synthetic "$tmp/syn.trace" 0x1100
# Real SBI/syscall names from the tables in src/trace.
if grep -q 'sbi_set_timer' "$tmp/synthetic.txt" && grep -q 'syscall write' "$tmp/synthetic.txt" &&
	grep -q 'trap:ecall_s {' "$tmp/synthetic.txt" && grep -q 'TIME' "$tmp/synthetic.report"; then
	pass synthetic_calls
else
	bad synthetic_calls "SBI call, syscall or trap frame missing: $(cat "$tmp/synthetic.txt")"
fi

# Truncated: what is there is dumped, with a note on stderr.
size=$(stat -c %s "$tmp/syn.trace")
head -c $((size - 7)) "$tmp/syn.trace" >"$tmp/cut.trace"
if "$strata" dump "$tmp/cut.trace" >"$tmp/cut.txt" 2>"$tmp/err" && grep -q 'truncated' "$tmp/err" &&
	grep -q '0x1100() {' "$tmp/cut.txt"; then
	pass truncated
else
	bad truncated "status $?, stderr: $(cat "$tmp/err")"
fi

# Bad input: exit 2, one line on stderr naming the file or option.
one_line() { # NAME EXPECT-IN-MESSAGE ARGS...
	local n=$1 what=$2
	shift 2
	"$strata" "$@" >"$tmp/out" 2>"$tmp/err"
	local st=$?
	if [ $st = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q -- "$what" "$tmp/err"; then
		pass "$n"
	else
		bad "$n" "status $st, stderr: $(cat "$tmp/err")"
	fi
}
one_line dump_missing "$tmp/none" dump "$tmp/none"
printf 'definitely not a trace' >"$tmp/junk"
one_line dump_junk "$tmp/junk" dump "$tmp/junk"
one_line report_junk "$tmp/junk" report "$tmp/junk"
one_line dump_format "--format" dump "$tmp/syn.trace" --format=svg
one_line dump_nofile "FILE" dump
one_line report_top "--top" report "$tmp/syn.trace" --top x
for c in dump report; do
	if "$strata" $c --help | grep -q "usage: strata $c"; then pass "${c}_help"; else bad "${c}_help" "no usage"; fi
done

# A real trace of a guest (a missing guest is a failure, as in trace.sh).
elf=$root/tests/guests/build/modes.elf
if [ -f "$elf" ]; then
	timeout 60 "$strata" run -bios none -kernel "$elf" --trace=ftrace,etrace,dtrace \
		--trace-out "$tmp/modes.trace" >/dev/null 2>"$tmp/err"
	if [ -s "$tmp/modes.trace" ]; then
		check_trace modes "$tmp/modes.trace" main
		if grep -q 'trap:ecall_u {' "$tmp/modes.txt" && grep -q 'traps by cause' "$tmp/modes.report"; then
			pass modes_traps
		else
			bad modes_traps "no U ecall trap frame or trap table"
		fi
		if timeout 60 "$strata" run -bios none -kernel "$elf" --trace=all \
			--trace-out "$tmp/all.trace" >/dev/null 2>&1 &&
			"$strata" dump "$tmp/all.trace" --insns >"$tmp/insns.txt" 2>"$tmp/err" &&
			grep -qE '0x8000[0-9a-f]{4}: (addi|auipc|csrr|li|la|lui|j|jal|sd|ld|mv)' "$tmp/insns.txt"; then
			pass modes_insns
		else
			bad modes_insns "no disassembled instructions: $(head -c 300 "$tmp/err")"
		fi
	else
		bad modes_record "no trace recorded: $(head -c 300 "$tmp/err")"
	fi
else
	bad modes_build "$elf missing (make guests)"
fi
exit $fail

#!/bin/bash
# strata run's tracing options end to end: start/stop by symbol and by instruction count,
# --trace-filter, --trace-priv, --mtrace ranges, --dump-ring-on, and bad option values.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
STRATA=${STRATA:-$root/build/strata}
rec=$root/tests/guests/trace/build/recursion.elf
traps=$root/tests/guests/trace/build/traps.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS trace_opts/$1"; }
fail() { echo "FAIL trace_opts/$1: $2"; }
# report NAME ELF OPTIONS...: run with the options, leave the report in $tmp/NAME.report
report() {
	local name=$1 elf=$2
	shift 2
	if ! "$STRATA" run -bios none -kernel "$elf" --trace-out "$tmp/$name.trace" "$@" \
		</dev/null >/dev/null 2>"$tmp/$name.err"; then
		fail "$name" "run failed: $(head -n 1 "$tmp/$name.err")"
		return 1
	fi
	"$STRATA" report "$tmp/$name.trace" >"$tmp/$name.report" 2>&1
	"$STRATA" dump "$tmp/$name.trace" >"$tmp/$name.dump" 2>&1
}
has() { grep -qE -- "$3" "$tmp/$2" && pass "$1" || fail "$1" "no line matching '$3' in $2"; }
hasnt() { grep -qE -- "$3" "$tmp/$2" && fail "$1" "unexpected line matching '$3' in $2" || pass "$1"; }

# recursion.elf: main calls fib(8) (67 fib calls), then sum_squares (10 square calls).
report start_sym "$rec" --trace=ftrace --trace-start=sum_squares &&
	{ has start_sym/after start_sym.report '^ +[0-9]+ +[0-9]+ +10  square$'
	  hasnt start_sym/not_before start_sym.report '  fib$'; }
report stop_sym "$rec" --trace=ftrace --trace-stop=sum_squares &&
	{ has stop_sym/before stop_sym.report '^ +[0-9]+ +[0-9]+ +67  fib$'
	  hasnt stop_sym/not_after stop_sym.report '  square$'; }
report start_insn "$rec" --trace=ftrace --trace-start=insn:1000000000 &&
	has start_insn/nothing_yet start_insn.report '^0 events'
report filter "$rec" --trace=ftrace --trace-filter=fib &&
	{ has filter/fib filter.report '  fib$'
	  hasnt filter/no_square filter.report '  square$'; }
# traps.elf takes traps in M and S: only the S side is kept
# traps.elf runs in M and S: with --trace-priv=s only S events are kept, plus the S side of the
# boundary (the ecall from S shows as a trap frame on the M stack; nothing that is M-only).
report priv "$traps" --trace=etrace --trace-priv=s &&
	{ other=$(awk 'NR > 1 && !/^#/ && $3 != "S" && !/trap:ecall_s/' "$tmp/priv.dump")
	  if [ -z "$other" ] && grep -q ' S ' "$tmp/priv.dump" && grep -q 'trap:ecall_s' "$tmp/priv.dump"; then
		pass priv/s_only
	  else
		fail priv/s_only "events outside S: $(echo "$other" | head -n 2 | tr '\n' ' ')"
	  fi; }
# hs is s's other name (HS = S while V=0); vs and vu (a hypervisor's guest) never run in traps.elf
report priv_hs "$traps" --trace=etrace --trace-priv=HS &&
	{ cmp -s "$tmp/priv.dump" "$tmp/priv_hs.dump" && pass priv/hs_is_s ||
		fail priv/hs_is_s "--trace-priv=HS differs from --trace-priv=s"; }
report priv_guest "$traps" --trace=etrace --trace-priv=vs,vu &&
	has priv/guest_levels_only priv_guest.report '^0 events'
report mtrace "$rec" --trace=mtrace --mtrace=0x80060000-0x80068000:w &&
	{ has mtrace/stores mtrace.dump 'mem store 0x8006'
	  hasnt mtrace/no_loads mtrace.dump 'mem load'
	  hasnt mtrace/in_range mtrace.dump 'mem store 0x(8006[89a-f]|8005|8007)'; }

# --dump-ring-on: the illegal-instruction trap in traps.elf prints the ring, disassembled
"$STRATA" run -bios none -kernel "$traps" --dump-ring-on=2 </dev/null >/dev/null 2>"$tmp/ring.err"
if grep -q 'exception 2' "$tmp/ring.err" && grep -q '^last 16 instructions' "$tmp/ring.err" &&
	grep -qE '^  [0-9a-f]{16}:  [0-9a-f]+  [a-z]' "$tmp/ring.err"; then
	pass dump_ring_on
else
	fail dump_ring_on "$(head -n 2 "$tmp/ring.err" | tr '\n' ' ')"
fi

# bad values: one line, exit 2
for bad in "--trace=bogus" "--trace-priv=x" "--trace-priv=hs,v" "--sym $rec@vx" "--mtrace=5-1" "--mtrace=0x10-0x20:q" \
	"--trace-filter=no_such_function --trace=ftrace" "--trace-start=no_such_function --trace=ftrace" \
	"--dump-ring-on=99" "--sym /nonexistent.elf --trace=ftrace" "--trace-out /nonexistent/dir/t --trace=ftrace"; do
	# shellcheck disable=SC2086
	"$STRATA" run -bios none -kernel "$rec" --trace-out "$tmp/bad.trace" $bad </dev/null \
		>/dev/null 2>"$tmp/bad.err"
	st=$?
	if [ $st -eq 2 ] && [ "$(wc -l <"$tmp/bad.err")" -eq 1 ]; then
		pass "bad/${bad%% *}"
	else
		fail "bad/${bad%% *}" "exit $st, stderr: $(head -n 2 "$tmp/bad.err" | tr '\n' ' ')"
	fi
done

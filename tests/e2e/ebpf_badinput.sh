#!/bin/bash
# e2e/ebpf_badinput — bad input to `strata record` gives exit status 2, nothing on stdout and one
# line on stderr naming the option, file or missing privilege; a command started for the trace
# is not left behind.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
if [ ! -x "$strata" ]; then
	echo "FAIL ebpf_badinput: strata binary '$strata' not built"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "FAIL ebpf_badinput: needs root (the privilege cases drop root's capabilities)"
	exit 1
fi
if ! fx=$("$root/tests/fixtures/build.sh" -q); then
	echo "FAIL ebpf_badinput: fixtures did not build (tests/fixtures/build.sh)"
	exit 1
fi
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
# a stripped static program has no function symbols at all (a stripped dynamic one still has its
# libraries' functions: tests/e2e/ebpf_record.sh shlib-stripped)
gcc -O2 -static -pthread -o "$tmp/stripped" "$root/tests/fixtures/c/calls.c"
strip "$tmp/stripped"

# check NAME WORD CMD...: CMD must exit 2 with one stderr line containing WORD, empty stdout.
check() {
	local name=$1 word=$2
	shift 2
	timeout 20 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local st=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ $st -ne 2 ]; then
		echo "FAIL ebpf_badinput/$name: exit status $st, want 2 (stderr: $(head -c 300 "$tmp/err"))"
	elif [ "$lines" -ne 1 ]; then
		echo "FAIL ebpf_badinput/$name: $lines stderr lines, want 1: $(head -c 300 "$tmp/err")"
	elif ! grep -qF -- "$word" "$tmp/err"; then
		echo "FAIL ebpf_badinput/$name: stderr does not name '$word': $(cat "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		echo "FAIL ebpf_badinput/$name: stdout not empty: $(head -c 200 "$tmp/out")"
	else
		echo "PASS ebpf_badinput/$name"
	fi
}

check no-target "no -p PID and no -- CMD" "$strata" record -o "$tmp/t.trace"
check both "both -p and a command" "$strata" record -o "$tmp/t.trace" -p 1 -- /bin/true
check unknown-option "'--bogus'" "$strata" record -o "$tmp/t.trace" --bogus -- /bin/true
check bad-tracer "--trace=bogus" "$strata" record -o "$tmp/t.trace" --trace=bogus -- /bin/true
check tasks-no-async "--trace=tasks: $fx/calls-O2: no Rust async code found in its DWARF" "$strata" record -o "$tmp/t.trace" --trace=tasks -- "$fx/calls-O2"
check bad-regex "--filter (" "$strata" record -o "$tmp/t.trace" --filter '(' -- "$fx/calls-O2"
check no-match "--filter: no function of $fx/calls-O2 or its shared objects matches" "$strata" record -o "$tmp/t.trace" --filter '^no_such_fn$' -- "$fx/calls-O2"
check stripped "$tmp/stripped: no function symbols" "$strata" record -o "$tmp/t.trace" -- "$tmp/stripped"
check bad-pid "-p abc" "$strata" record -o "$tmp/t.trace" -p abc
check no-process "-p 2147483647: no such process" "$strata" record -o "$tmp/t.trace" -p 2147483647
check no-command "/no/such/cmd: No such file or directory" "$strata" record -o "$tmp/t.trace" -- /no/such/cmd
check ring-size "--ring-size=1000" "$strata" record -o "$tmp/t.trace" --ring-size=1000 -- /bin/true
check attach-mode "--attach=sometimes" "$strata" record -o "$tmp/t.trace" --attach=sometimes -- /bin/true
check out-dir "$tmp/no/dir/t.trace" "$strata" record -o "$tmp/no/dir/t.trace" -- "$fx/calls-O2"
check not-root "needs root or CAP_BPF and CAP_PERFMON" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$strata" record -o "$tmp/t.trace" -- /bin/true
check no-caps "missing: CAP_BPF CAP_PERFMON" \
	setpriv --bounding-set=-bpf,-perfmon,-sys_admin "$strata" record -o "$tmp/t.trace" -- /bin/true
check no-perfmon "missing: CAP_PERFMON" \
	setpriv --bounding-set=-perfmon,-sys_admin "$strata" record -o "$tmp/t.trace" -- /bin/true

# a command that ends before its entry point (here the dynamic loader does not find its DT_NEEDED
# library): nothing of it can be traced. Exit 2; strata's one line comes after the loader's own
# message (the command's stderr, which strata does not touch); no trace file.
cp "$fx/shlib" "$tmp/nolib"
timeout 20 "$strata" record -o "$tmp/nolib.trace" -- "$tmp/nolib" >"$tmp/out" 2>"$tmp/err" </dev/null
st=$?
want="strata record: $tmp/nolib ended before its entry point (status 127)"
if [ $st -eq 2 ] && [ "$(grep -c '^strata' "$tmp/err")" = 1 ] && [ "$(tail -1 "$tmp/err")" = "$want" ] &&
	[ "$(head -1 "$tmp/err")" != "$want" ] && grep -q 'libstrata_shared.so: cannot open shared object' "$tmp/err" &&
	[ ! -s "$tmp/out" ] && [ ! -e "$tmp/nolib.trace" ]; then
	echo "PASS ebpf_badinput/ended-before-entry"
else
	echo "FAIL ebpf_badinput/ended-before-entry: exit status $st (want 2), stderr: $(head -c 400 "$tmp/err" | tr '\n' '|')"
fi
# a command that was started and then refused (no matching function) is not left stopped
if pgrep -f "$tmp/stripped" >/dev/null || pgrep -x calls-O2 >/dev/null; then
	echo "FAIL ebpf_badinput/no-orphans: $(pgrep -af "calls-O2|$tmp/stripped")"
else
	echo "PASS ebpf_badinput/no-orphans"
fi

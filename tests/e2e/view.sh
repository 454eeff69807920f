#!/bin/bash
# e2e/view — `strata view` in a real browser (docs/UI.md): headless Chromium from Debian, driven
# by python3-selenium (tests/e2e/view/check.py), on the async demo kernel's trace as one .html
# file and as a directory of lazily loaded tiles: the page loads without console errors or
# network requests, has one track per task with as many poll slices as `strata tasks --json`
# counts, draws a flame graph; a screenshot goes to build/artifacts/view.png. Then truncated
# and corrupt traces (the page says so and shows what was read) and bad arguments.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
build=${BUILD:-$root/build}
art=$build/artifacts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check=$root/tests/e2e/view/check.py
fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf

pass() { echo "PASS view_$1"; }
bad() { echo "FAIL view_$1: $2"; }

for f in /usr/bin/chromium /usr/bin/chromedriver /usr/bin/python3 "$fw"; do
	[ -x "$f" ] || [ -f "$f" ] || { bad setup "$f missing (scripts/install-deps)"; exit 1; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || { bad setup "python3-selenium missing"; exit 1; }
kernel=$root/tests/guests/rust/build/kernel-O2.elf
[ -f "$kernel" ] || "$root/tests/guests/rust/build.sh" -q >/dev/null || { bad setup "rust guests"; exit 1; }
mkdir -p "$art"

t=$tmp/k.trace
if ! "$strata" run -bios "$fw" -kernel "$kernel" --trace=ftrace,etrace,async --trace-out "$t" \
	</dev/null >"$tmp/run.out" 2>"$tmp/run.err"; then
	bad record "$(tail -n 2 "$tmp/run.err")"
	exit 1
fi
"$strata" tasks "$t" --json >"$tmp/tasks.json" || { bad tasks_json "strata tasks failed"; exit 1; }

# one self-contained file
if "$strata" view "$t" -o "$tmp/k.html" >"$tmp/v.out" 2>"$tmp/v.err" && [ -s "$tmp/k.html" ]; then
	pass html_written
else
	bad html_written "$(cat "$tmp/v.err")"
fi
if grep -Eq '(src|href)="(https?:)?//' "$tmp/k.html"; then
	bad html_no_remote "the page refers to a remote resource"
else
	pass html_no_remote
fi
# browser NAME ARGS...: check.py's own PASS/FAIL lines; a crash (no verdict) is a failure too.
# The page's program is the same whatever build wrote it: under the sanitizer build (BUILD
# build-san) only the first page goes through the browser (docs/TESTING.md).
browser() {
	local name=$1
	shift
	if [ "$name" != html ] && [ "$(basename "$build")" = build-san ]; then
		return 0
	fi
	timeout 180 /usr/bin/python3 "$check" "$name" "$@" 2>"$tmp/py.err" >"$tmp/py.out"
	local st=$?
	cat "$tmp/py.out"
	if [ $st != 0 ] && ! grep -q '^FAIL' "$tmp/py.out"; then
		bad "${name}_browser" "check.py exit $st: $(tail -n 3 "$tmp/py.err")"
	fi
}
browser html "$tmp/k.html" --tasks "$tmp/tasks.json" --screenshot "$art/view.png" --source kernel.rs

# a directory whose small tiles are loaded as the view needs them (script elements from file://)
if "$strata" view "$t" -o "$tmp/kdir" --tile-slices=2000 >"$tmp/v.out" 2>"$tmp/v.err" &&
	[ -f "$tmp/kdir/index.html" ] && [ "$(ls "$tmp/kdir/data" | wc -l)" -gt 10 ]; then
	pass dir_written
else
	bad dir_written "$(cat "$tmp/v.err") $(ls "$tmp/kdir/data" 2>&1 | wc -l) tiles"
fi
browser dir "$tmp/kdir/index.html" --tasks "$tmp/tasks.json" --screenshot "$art/view-dir.png"

# instruction runs (itrace) in a directory of small tiles: zooming in to one run draws it
if "$strata" run -bios "$fw" -kernel "$kernel" --trace=itrace,ftrace,async --trace-out "$tmp/i.trace" \
	</dev/null >/dev/null 2>"$tmp/run.err" &&
	"$strata" view "$tmp/i.trace" -o "$tmp/idir" --tile-slices=5000 >/dev/null 2>"$tmp/v.err"; then
	browser itrace "$tmp/idir/index.html" --zoom-run --screenshot "$art/view-itrace.png"
else
	bad itrace "$(cat "$tmp/run.err" "$tmp/v.err")"
fi

# a native tokio program (strata record, root): its threads' async events in time order, as
# strata tasks takes them
if [ "$(id -u)" != 0 ]; then
	echo "SKIP view_native: strata record needs root"
elif ! fx=$("$root/tests/fixtures/build.sh" -q 2>/dev/null) || [ ! -x "$fx/tokio_demo-debug" ]; then
	bad native "tests/fixtures did not build"
elif "$strata" record --trace=async -o "$tmp/n.trace" -- "$fx/tokio_demo-debug" >/dev/null 2>"$tmp/r.err" &&
	"$strata" tasks "$tmp/n.trace" --json >"$tmp/n.json" &&
	"$strata" view "$tmp/n.trace" -o "$tmp/n.html" >/dev/null 2>"$tmp/v.err"; then
	browser native "$tmp/n.html" --tasks "$tmp/n.json" --screenshot "$art/view-native.png"
else
	bad native "$(tail -n 2 "$tmp/r.err" "$tmp/v.err")"
fi

# truncated: what the file holds, and a banner saying it is cut short
size=$(stat -c %s "$t")
head -c $((size * 2 / 3)) "$t" >"$tmp/cut.trace"
if "$strata" view "$tmp/cut.trace" -o "$tmp/cut.html" >/dev/null 2>"$tmp/v.err" &&
	grep -q "truncated" "$tmp/v.err"; then
	pass truncated_cli
else
	bad truncated_cli "exit $?: $(cat "$tmp/v.err")"
fi
browser truncated "$tmp/cut.html" --banner "truncated" --screenshot "$art/view-truncated.png"

# corrupt: a flipped byte in the middle; exit 2 with the offset, and a page with what came before
cp "$t" "$tmp/bad.trace"
printf '\xff\xff\xff\xff' | dd of="$tmp/bad.trace" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$strata" view "$tmp/bad.trace" -o "$tmp/bad.html" >/dev/null 2>"$tmp/v.err"
st=$?
if [ $st = 2 ] && grep -q "offset" "$tmp/v.err" && [ "$(wc -l <"$tmp/v.err")" = 1 ]; then
	pass corrupt_cli
else
	bad corrupt_cli "exit $st: $(cat "$tmp/v.err")"
fi
browser corrupt "$tmp/bad.html" --banner "corrupt"

# bad arguments: one line, exit 2
badarg() {
	local name=$1
	shift
	"$strata" view "$@" >/dev/null 2>"$tmp/e"
	local st=$?
	if [ $st = 2 ] && [ "$(wc -l <"$tmp/e")" = 1 ]; then
		pass "badarg_$name"
	else
		bad "badarg_$name" "exit $st: $(cat "$tmp/e")"
	fi
}
badarg missing "$tmp/none.trace"
echo "not a trace" >"$tmp/text.trace"
badarg not_a_trace "$tmp/text.trace"
badarg no_file
badarg unknown_option "$t" --bogus
badarg out_unwritable "$t" -o /proc/strata/x.html

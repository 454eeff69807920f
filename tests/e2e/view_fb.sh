#!/bin/bash
# e2e/view_fb — the frame buffer of a -machine nemu run in `strata view` (docs/NEMU.md, UI.md):
# am-tests' display test (amtest-v, riscv64-nemu, scripts/am/build) runs with --fb-out and a
# trace; the viewer finds the run's frame through the trace (meta "fb", an absolute path, so
# also from another directory) and its Screen tab shows it in headless Chromium pixel for pixel
# (tests/e2e/view/fb_check.py; screenshot build/artifacts/view-fb.png). A trace whose frame is
# gone gets a note and a page without Screen; --fb FILE shows a given frame; a --fb that is not
# a frame gets one line and exit 2. Frames over time: --fb-out 'f-%d.ppm' writes a file per
# sync, and the page has them all behind a slider, each equal to its file; a '%' that is not
# the one %d is refused (one line, exit 2).
# tests/run: timeout=900
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
build=${BUILD:-$root/build}
art=$build/artifacts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check=$root/tests/e2e/view/fb_check.py

pass() { echo "PASS view_fb_$1"; }
bad() { echo "FAIL view_fb_$1: $2"; }

for f in /usr/bin/chromium /usr/bin/chromedriver /usr/bin/python3; do
	[ -x "$f" ] || { bad setup "$f missing (scripts/install-deps)"; exit 1; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || { bad setup "python3-selenium missing"; exit 1; }
nemu=$("$root/scripts/am/build" riscv64-nemu 2>"$tmp/build.err")
if [ $? -ne 0 ] || [ ! -f "$nemu/amtest-v.elf" ]; then
	bad build "$(tail -n 3 "$tmp/build.err" | tr '\n' ' ')"
	exit 1
fi
mkdir -p "$art"

# browser NAME ARGS...: fb_check.py's PASS/FAIL lines; a crash (no verdict) is a failure too.
# Under the sanitizer build the page's program is the same: only the first page is driven.
browser() {
	local name=$1
	shift
	if [ "$name" != run ] && [ "$(basename "$build")" = build-san ]; then
		return 0
	fi
	timeout 180 /usr/bin/python3 "$check" "$name" "$@" 2>"$tmp/py.err" >"$tmp/py.out"
	local st=$?
	cat "$tmp/py.out"
	if [ $st != 0 ] && ! grep -q '^FAIL' "$tmp/py.out"; then
		bad "${name}_browser" "fb_check.py exit $st: $(tail -n 3 "$tmp/py.err")"
	fi
}

# the display test draws a frame at 30 FPS of virtual time (100 M instructions a second): a few
# frames in 20 M instructions. It runs from its own directory with a relative --fb-out.
mkdir -p "$tmp/run"
(cd "$tmp/run" && timeout 120 "$strata" run -machine nemu -kernel "$nemu/amtest-v.elf" --max-insns 20000000 \
	--fb-out screen.ppm --trace=ftrace --trace-out v.trace </dev/null >out 2>err)
if [ -s "$tmp/run/screen.ppm" ] && [ -s "$tmp/run/v.trace" ] && [ "$(head -c 2 "$tmp/run/screen.ppm")" = P6 ]; then
	pass run
else
	bad run "$(tail -n 2 "$tmp/run/err" | tr '\n' ' ')"
	exit 1
fi

# the viewer, started elsewhere, finds the frame through the trace
if (cd / && "$strata" view "$tmp/run/v.trace" -o "$tmp/v.html" >"$tmp/v.out" 2>"$tmp/v.err") &&
	grep -q "^strata view: the page shows the frame buffer $tmp/run/screen.ppm\$" "$tmp/v.out"; then
	pass found_through_trace
else
	bad found_through_trace "$(cat "$tmp/v.out" "$tmp/v.err" | tr '\n' ' ')"
fi
browser run "$tmp/v.html" --ppm "$tmp/run/screen.ppm" --screenshot "$art/view-fb.png"

# the same as a directory of tiles
if "$strata" view "$tmp/run/v.trace" -o "$tmp/vdir" >/dev/null 2>"$tmp/v.err" && [ -f "$tmp/vdir/index.html" ]; then
	browser dir "$tmp/vdir/index.html" --ppm "$tmp/run/screen.ppm"
else
	bad dir "$(cat "$tmp/v.err")"
fi

# frames over time: a numbered file per sync, every one in the page
(cd "$tmp/run" && timeout 120 "$strata" run -machine nemu -kernel "$nemu/amtest-v.elf" --max-insns 20000000 \
	--fb-out 'f-%d.ppm' --trace=ftrace --trace-out f.trace </dev/null >fout 2>ferr)
nf=$(ls "$tmp/run" | grep -c '^f-[0-9]*\.ppm$')
if [ "$nf" -ge 3 ] && [ -s "$tmp/run/f-0.ppm" ] && [ -s "$tmp/run/f-$((nf - 1)).ppm" ]; then
	pass frames_written
else
	bad frames_written "$nf frame files: $(tail -n 2 "$tmp/run/ferr" | tr '\n' ' ')"
fi
if "$strata" view "$tmp/run/f.trace" -o "$tmp/f.html" >"$tmp/f.out" 2>"$tmp/f.err" &&
	grep -q "shows the frame buffer $tmp/run/f-%d.ppm\$" "$tmp/f.out"; then
	browser frames "$tmp/f.html" --frames "$tmp/run/f-%d.ppm" --screenshot "$art/view-fb-frames.png"
else
	bad frames "$(cat "$tmp/f.out" "$tmp/f.err" | tr '\n' ' ')"
fi
for p in 'x-%s.ppm' 'x-%d-%d.ppm' 'x-%'; do
	"$strata" run -machine nemu -kernel "$nemu/add.elf" --fb-out "$tmp/$p" </dev/null >/dev/null 2>"$tmp/p.err"
	st=$?
	if [ $st = 2 ] && [ "$(wc -l <"$tmp/p.err")" = 1 ] &&
		grep -q "^strata: --fb-out $tmp/$p: a '%' must be the one %d (the frame number)\$" "$tmp/p.err"; then
		pass "bad_pattern_$p"
	else
		bad "bad_pattern_$p" "exit $st: $(cat "$tmp/p.err")"
	fi
done

# --fb names the frame to show: the run's frame copied elsewhere, on a trace without one
cp "$tmp/run/screen.ppm" "$tmp/given.ppm"
if "$strata" run -machine nemu -kernel "$nemu/add.elf" --trace=ftrace --trace-out "$tmp/add.trace" \
	</dev/null >/dev/null 2>"$tmp/add.err" &&
	"$strata" view "$tmp/add.trace" -o "$tmp/given.html" --fb "$tmp/given.ppm" >"$tmp/g.out" 2>"$tmp/g.err" &&
	grep -q "shows the frame buffer $tmp/given.ppm" "$tmp/g.out"; then
	browser given "$tmp/given.html" --ppm "$tmp/given.ppm"
else
	bad given "$(cat "$tmp/add.err" "$tmp/g.err" | tr '\n' ' ')"
fi
# a trace without a frame buffer: no Screen tab
"$strata" view "$tmp/add.trace" -o "$tmp/none.html" >/dev/null 2>&1
browser none "$tmp/none.html" --none

# the run's frame is gone: a note, exit 0, no Screen tab
rm "$tmp/run/screen.ppm"
"$strata" view "$tmp/run/v.trace" -o "$tmp/gone.html" >"$tmp/gone.out" 2>"$tmp/gone.err"
st=$?
if [ $st = 0 ] && grep -q "^strata view: the run's frame buffer is not shown: $tmp/run/screen.ppm: No such file or directory\$" "$tmp/gone.err" &&
	! grep -q 'id="fb"' "$tmp/gone.html"; then
	pass gone_noted
else
	bad gone_noted "exit $st: $(cat "$tmp/gone.err")"
fi
browser gone "$tmp/gone.html" --none

# --fb that is not a frame: one line, exit 2
printf 'P6\n400 300\n255\nshort' >"$tmp/short.ppm"
for f in "$tmp/nope.ppm" "$tmp/add.trace" "$tmp/short.ppm"; do
	"$strata" view "$tmp/add.trace" -o "$tmp/x.html" --fb "$f" >/dev/null 2>"$tmp/x.err"
	st=$?
	if [ $st = 2 ] && [ "$(wc -l <"$tmp/x.err")" = 1 ] && grep -q "^strata view: --fb $f: " "$tmp/x.err"; then
		pass "bad_fb_$(basename "$f")"
	else
		bad "bad_fb_$(basename "$f")" "exit $st: $(cat "$tmp/x.err")"
	fi
done

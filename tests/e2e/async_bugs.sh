#!/bin/bash
# e2e/async_bugs — `strata tasks` reports lost wakes and busy-polling tasks (docs/ASYNC.md
# "Lost wakes and busy polling") on tests/guests/rust/bugs.rs at opt-level 0-3: task 0 awaits a
# future that returns Pending without touching its waker (the one lost wake, left in its await
# of lost()), task 1 wakes itself in 150 Pending polls in a row (busy at the default
# threshold 100 and at 150, not at 151), task 2 yields once (neither). The exec guests, whose
# tasks all end and yield once at a time, report neither. --busy-polls 0: one line, exit 2.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
STRATA=${STRATA:-$root/build/strata}
g=$root/tests/guests/rust/build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS async_bugs/$1"; }
fail() { echo "FAIL async_bugs/$1: $2"; }

# check NAME JSON WANT_LOST WANT_BUSY: the lost task ids and the busy "id:longest:ongoing" list
check() {
	local got
	got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
lost = ",".join("%d@%s" % (l["task"], l["state"].split(" at ")[-1]) for l in d["lost_wakes"])
busy = ",".join("%d:%d:%s" % (b["task"], b["longest"], b["ongoing"]) for b in d["busy_polls"]["tasks"])
print("lost=%s busy=%s threshold=%d" % (lost, busy, d["busy_polls"]["threshold"]))' "$2" 2>&1)
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "got '$got', want '$3'"
	fi
}

want_out='bugs: healthy 7
bugs: busy 150
bugs: idle with a task pending'
for o in 0 1 2 3; do
	n=bugs-O$o
	if [ ! -f "$g/$n.elf" ]; then
		fail "$n/build" "$g/$n.elf missing (make guests)"
		continue
	fi
	timeout 120 "$STRATA" run -bios none -kernel "$g/$n.elf" --trace=async \
		--trace-out "$tmp/$n.trace" </dev/null >"$tmp/$n.out" 2>"$tmp/$n.err"
	st=$?
	if [ $st = 0 ] && [ "$(tr -d '\r' <"$tmp/$n.out")" = "$want_out" ]; then
		pass "$n/output"
	else
		fail "$n/output" "exit $st: $(head -n 3 "$tmp/$n.out" | tr '\n' ' ') $(head -n 1 "$tmp/$n.err")"
		continue
	fi
	# the lost task is left in its own await of lost() (the line of `let t0`)
	for b in default 150 151; do
		opt=()
		[ $b = default ] || opt=(--busy-polls $b)
		if ! "$STRATA" tasks --json "${opt[@]}" "$tmp/$n.trace" >"$tmp/$n.$b.json" 2>"$tmp/$n.terr"; then
			fail "$n/tasks_$b" "exit $?: $(head -n 1 "$tmp/$n.terr")"
			continue
		fi
		case $b in
		default) want_busy="1:150:False" th=100 ;;
		150) want_busy="1:150:False" th=150 ;;
		151) want_busy="" th=151 ;;
		esac
		check "$n/busy_$b" "$tmp/$n.$b.json" \
			"lost=0@bugs.rs:$(grep -n 'let t0 = pin' "$root/tests/guests/rust/bugs.rs" | cut -d: -f1) busy=$want_busy threshold=$th"
	done
	# the text report names the lost task and the busy one
	"$STRATA" tasks "$tmp/$n.trace" >"$tmp/$n.txt" 2>/dev/null
	if grep -q '^  task 0 bugs::rust_main::{async_block#0}: Pending in Suspend0 at bugs.rs:' "$tmp/$n.txt" &&
		grep -q '^  task 1 bugs::rust_main::{async_block#1}: 150 in a row, reached 100 at ' "$tmp/$n.txt"; then
		pass "$n/text"
	else
		fail "$n/text" "$(sed -n '/^lost wakes/,$p' "$tmp/$n.txt" | tr '\n' '|')"
	fi
done

# no false reports: the exec guest's tasks all end, woken each time
for o in 0 3; do
	n=exec-O$o
	timeout 120 "$STRATA" run -bios none -kernel "$g/$n.elf" --trace=async \
		--trace-out "$tmp/$n.trace" </dev/null >/dev/null 2>&1
	"$STRATA" tasks --json "$tmp/$n.trace" >"$tmp/$n.json" 2>/dev/null
	check "$n/none" "$tmp/$n.json" "lost= busy= threshold=100"
done

for bad in 0 x 4294967296; do
	"$STRATA" tasks --busy-polls $bad "$tmp/exec-O0.trace" >/dev/null 2>"$tmp/bad.err"
	st=$?
	if [ $st = 2 ] && [ "$(grep -c . "$tmp/bad.err")" = 1 ] && grep -q -- "--busy-polls $bad" "$tmp/bad.err"; then
		pass "bad/busy_polls_$bad"
	else
		fail "bad/busy_polls_$bad" "exit $st: $(head -n 2 "$tmp/bad.err" | tr '\n' ' ')"
	fi
done

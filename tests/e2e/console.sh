#!/bin/bash
# e2e/console — `strata console` driven in tmux (send-keys, capture-pane) (docs/UI.md): on a
# trace of the async demo kernel (replayed), attached live to `strata run --console` on the same
# kernel, and on a run killed mid-way; the task rows against `strata tasks --json`, sorting, one
# task's await tree, the other views, quitting restores the terminal; bad inputs.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
tmp=$(mktemp -d)
tm="tmux -L strata-console-test-$$"
cleanup() {
	$tm kill-server 2>/dev/null
	[ -n "${runpid:-}" ] && kill "$runpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf
rust=$root/tests/guests/rust/build

pass() { echo "PASS console_$1"; }
bad() { echo "FAIL console_$1: $2"; }

command -v tmux >/dev/null || { bad setup "tmux missing (scripts/install-deps)"; exit 1; }
[ -f "$rust/kernel-O2.elf" ] || "$root/tests/guests/rust/build.sh" -q >/dev/null ||
	{ bad setup "rust guests"; exit 1; }

# a session that keeps the tmux server up while the tests' sessions come and go
$tm new-session -d -s keep "sleep 3600" || { bad setup "tmux cannot start a server"; exit 1; }
screen() { $tm capture-pane -p -t t; }
# wait_for PATTERN [SECONDS]: until the screen shows the (grep -E) pattern
wait_for() {
	local i
	for ((i = 0; i < ${2:-10} * 20; i++)); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	return 1
}
keys() {
	$tm send-keys -t t "$@"
	sleep 0.3
}
# start CMD: the console in a fresh 160x45 terminal; afterwards the shell prints the terminal
# mode (stty) and the exit status
start() {
	$tm kill-session -t t 2>/dev/null
	$tm new-session -d -s t -x 160 -y 45 "$1; echo \"EXIT \$? \$(stty -a | grep -Eo '(-)?icanon|(-)?echo ' | tr -d ' ' | tr '\n' ,)\"; sleep 60"
}
# the screen's task row of task ID: "  ID STATE POLLS ..."
row() { screen | grep -E "^ +$1 +(running|done|idle|new|\\?) " | head -n 1; }

t=$tmp/k.trace
"$strata" run -bios "$fw" -kernel "$rust/kernel-O2.elf" --trace=ftrace,etrace,async --trace-out "$t" \
	</dev/null >/dev/null 2>&1 || { bad record "strata run failed"; exit 1; }
"$strata" tasks "$t" --json >"$tmp/tasks.json"
# expected "id polls future" per task
python3 -c 'import json,sys; [print(t["id"], t["polls"], t["future"]) for t in json.load(open(sys.argv[1]))["tasks"]]' \
	"$tmp/tasks.json" >"$tmp/want"
ntasks=$(wc -l <"$tmp/want")

# check_rows NAME: every task's row shows its polls and future
check_rows() {
	local ok=1 id polls fut
	while read -r id polls fut; do
		row "$id" | grep -qF " $polls " && row "$id" | grep -qF "$fut" || ok=0
	done <"$tmp/want"
	if [ $ok = 1 ] && screen | grep -q "$ntasks tasks"; then
		pass "$1_task_rows"
	else
		bad "$1_task_rows" "$(screen | head -n 12)"
	fi
}

# ---- a trace file, replayed at once ----
start "$strata console $t --replay 0"
if wait_for 'replay 100%.*\(end\)' 10 && wait_for "$ntasks tasks"; then
	pass replay_loads
else
	bad replay_loads "$(screen | head -n 8)"
fi
check_rows replay
# sorting: right arrow twice = by POLLS (most first); i inverts
keys Right
keys Right
first=$(screen | grep -E '^ +[0-9]+ +(done|idle|running) ' | head -n 1 | awk '{print $1}')
most=$(sort -k2,2nr -k1,1n "$tmp/want" | head -n 1 | awk '{print $1}')
least=$(sort -k2,2n -k1,1nr "$tmp/want" | head -n 1 | awk '{print $1}')
if screen | grep -q 'sort: POLLS' && [ "$first" = "$most" ]; then
	pass sort_polls
else
	bad sort_polls "first row task $first, want $most: $(screen | sed -n 3,8p)"
fi
keys i
first=$(screen | grep -E '^ +[0-9]+ +(done|idle|running) ' | head -n 1 | awk '{print $1}')
if screen | grep -q 'inverted' && [ "$first" = "$least" ]; then
	pass sort_invert
else
	bad sort_invert "first row task $first, want $least"
fi
keys i
keys Left
keys Left
# one task: the selected row (task 0 after sorting by id) and its await tree from strata tasks
keys Enter
tree=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["tasks"][0]["tree"]; print(t["children"][0]["future"] if t["children"] else t["future"])' "$tmp/tasks.json")
if wait_for 'Await tree now' 3 && screen | grep -qF "$tree" && screen | grep -q 'Poll history' &&
	screen | grep -q 'Woken by'; then
	pass task_await_tree
else
	bad task_await_tree "no '$tree' under Await tree: $(screen | head -n 20)"
fi
if screen | grep -Eq '\[ *[0-9]+, *[0-9]+\) #+'; then
	pass task_histogram
else
	bad task_histogram "$(screen | tail -n 15)"
fi
keys Escape
wait_for 'sort: ID' 2 || bad task_back "Esc did not go back to the task list"
keys f
if wait_for 'SELF%' 2 && screen | grep -Eq '^ +[0-9]+ +[0-9.]+% +[0-9]+ +[0-9]+  '; then
	pass functions
else
	bad functions "$(screen | head -n 10)"
fi
keys r
if wait_for 'ecall_s' 2 && screen | grep -Eq 'sbi .*sbi_console_putchar'; then
	pass rates
else
	bad rates "$(screen | head -n 16)"
fi
keys h
if wait_for 'HART PRIV' 2 && screen | grep -Eq '^ +0 +[MSU] +[0-9a-f]+ +[0-9]+'; then
	pass harts
else
	bad harts "$(screen | head -n 6)"
fi
# a resize redraws at the new size
$tm resize-window -t t -x 100 -y 30 2>/dev/null
sleep 0.5
if [ "$(screen | wc -l)" -le 31 ] && screen | grep -q 'q quit'; then
	pass resize
else
	bad resize "$(screen | tail -n 3)"
fi
keys q
if wait_for '^EXIT 0 icanon,echo,' 3; then
	pass quit_restores_terminal
else
	bad quit_restores_terminal "$(screen | tail -n 5)"
fi

# ---- a paced replay: space pauses, e jumps to the end ----
start "$strata console $t --replay 30"
if wait_for 'replay +[0-9]+%' 5 && ! screen | grep -q 'replay 100%'; then
	pass replay_paced
else
	bad replay_paced "$(screen | head -n 1)"
fi
keys ' '
wait_for 'PAUSED' 2 && pass replay_pause || bad replay_pause "$(screen | head -n 1)"
keys ' '
keys e
if wait_for 'replay 100%' 10 && wait_for "$ntasks tasks" 5; then
	pass replay_to_end
else
	bad replay_to_end "$(screen | head -n 3)"
fi
keys q

# ---- live: strata run --console, the console attached before the run starts ----
sock=$tmp/run.sock
start "$strata console --attach $sock --wait 20"
"$strata" run -bios "$fw" -kernel "$rust/kernel-O2.elf" --trace=ftrace,etrace,async \
	--trace-out "$tmp/live.trace" --console="$sock" --console-wait </dev/null >"$tmp/run.out" 2>"$tmp/run.err" &
runpid=$!
wait $runpid
runst=$?
runpid=
[ $runst = 0 ] || bad live_run "strata run exit $runst: $(tail -n 2 "$tmp/run.err")"
if wait_for 'live: the run ended \(exit 0\)' 10 && wait_for "$ntasks tasks" 5; then
	pass live_attach
else
	bad live_attach "$(screen | head -n 3)"
fi
check_rows live
keys h
if wait_for 'MIPS' 2 && screen | grep -Eq '^ +0 +[MSU] +[0-9a-f]+ +[0-9]+ +[0-9.]+'; then
	pass live_harts
else
	bad live_harts "$(screen | head -n 6)"
fi
keys q
wait_for '^EXIT 0 icanon,echo,' 3 && pass live_quit || bad live_quit "$(screen | tail -n 3)"

# ---- live without a trace: the harts only ----
start "$strata console --attach $sock --wait 20"
"$strata" run -bios "$fw" -kernel "$rust/kernel-O2.elf" --console="$sock" --console-wait \
	</dev/null >/dev/null 2>"$tmp/run.err"
st=$?
keys h
if [ $st = 0 ] && wait_for 'live: the run ended \(exit 0\)' 10 &&
	screen | grep -Eq '^ +0 +[MSU] +[0-9a-f]+ +[0-9]+ +[0-9.]+'; then
	pass live_no_trace
else
	bad live_no_trace "run exit $st: $(tail -n 1 "$tmp/run.err") $(screen | head -n 6)"
fi
keys q

# ---- live, the run killed mid-way: the console says so and keeps what it had ----
start "$strata console --attach $sock --wait 20"
# spin-forever: a run that cannot end by itself before the kill (spin-O2 once did, on a fast day)
"$strata" run -bios none -kernel "$rust/spin-forever-O2.elf" --trace=ftrace,etrace,async \
	--trace-out "$tmp/spin.trace" --console="$sock" --console-wait </dev/null >/dev/null 2>&1 &
runpid=$!
wait_for 'live: running' 10
wait_for '[1-9][0-9]* tasks' 10
kill -9 $runpid
wait $runpid 2>/dev/null
runpid=
if wait_for 'LINK LOST' 10 && screen | grep -Eq '[1-9][0-9]* tasks' && row 0 | grep -q 'spin'; then
	pass live_link_lost
else
	bad live_link_lost "$(screen | head -n 8)"
fi
keys q

# ---- live: strata record --console (eBPF, root) on a tokio program ----
if [ "$(id -u)" != 0 ]; then
	echo "SKIP console_record_live: strata record needs root"
elif ! fx=$("$root/tests/fixtures/build.sh" -q 2>/dev/null) || [ ! -x "$fx/tokio_demo-debug" ]; then
	bad record_live "tests/fixtures did not build"
else
	start "$strata console --attach $sock --wait 20"
	sleep 0.5 # the console waits for the socket
	"$strata" record --trace=async --console="$sock" -o "$tmp/r.trace" -- "$fx/tokio_demo-debug" \
		>/dev/null 2>"$tmp/r.err" || bad record_live_run "$(tail -n 2 "$tmp/r.err")"
	n=$("$strata" tasks "$tmp/r.trace" | sed -n 's/^\([0-9]*\) tasks,.*/\1/p')
	if wait_for 'live: the run ended \(exit 0\)' 10 && wait_for " $n tasks" 5 &&
		screen | grep -Eq '^ +[0-9]+ +done .*tokio_demo::'; then
		pass record_live
	else
		bad record_live "want $n tasks: $(screen | head -n 6)"
	fi
	keys q
fi

# ---- bad traces: a message on the screen, and what could be read ----
size=$(stat -c %s "$t")
head -c $((size * 2 / 3)) "$t" >"$tmp/cut.trace"
start "$strata console $tmp/cut.trace --replay 0"
if wait_for 'truncated' 10 && wait_for '[0-9]+ tasks' 2; then
	pass truncated
else
	bad truncated "$(screen | head -n 5; screen | tail -n 3)"
fi
keys q
cp "$t" "$tmp/bad.trace"
printf '\xff\xff\xff\xff' | dd of="$tmp/bad.trace" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
start "$strata console $tmp/bad.trace --replay 0"
if wait_for 'offset [0-9]+' 10 && wait_for '[0-9]+ tasks' 2; then
	pass corrupt
else
	bad corrupt "$(screen | tail -n 4)"
fi
keys q

# ---- bad arguments: one line, exit 2, the terminal untouched ----
badarg() {
	local name=$1
	shift
	start "$strata console $* 2>$tmp/err"
	if wait_for '^EXIT 2 icanon,echo,' 5 && [ "$(wc -l <"$tmp/err")" = 1 ]; then
		pass "badarg_$name"
	else
		bad "badarg_$name" "$(screen | tail -n 2) / $(cat "$tmp/err")"
	fi
}
badarg missing "$tmp/none.trace"
echo "not a trace" >"$tmp/text.trace"
badarg not_a_trace "$tmp/text.trace"
badarg no_socket "--attach $tmp/none.sock"
badarg no_source ""
badarg both "$t --attach $sock"
badarg refresh "$t --refresh 5"
badarg replay "$t --replay x"
"$strata" console "$t" </dev/null >/dev/null 2>"$tmp/err"
st=$?
if [ $st = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ]; then
	pass badarg_not_a_terminal
else
	bad badarg_not_a_terminal "exit $st: $(cat "$tmp/err")"
fi

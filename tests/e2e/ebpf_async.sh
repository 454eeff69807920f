#!/bin/bash
# e2e/ebpf_async — `strata record --trace=async` on the tokio and async-std fixtures with a known
# poll structure (tests/fixtures/rust/src/bin/*_exact.rs), debug and release builds: per task
# the exact number of polls and their Pending/Ready results, the await edges and the wake edges
# between tasks, as summarised by build/unit/ebpf/tasksum_test from the trace, compared with
# tests/golden/ebpf/<fixture>.txt. Only the fixture's own futures are compared (runtime
# internals vary with timing); wakes from runtime context (timer driver, I/O reactor) are
# written "(runtime)"; wakes of block_on's thread parker (not a task) are left out. Release
# builds inline most bodies into the runtime's task-run functions (tokio's raw::poll<T, S>,
# async-task's RawTask::run), whose entry and exit are the tasks' polls there (docs/EBPF.md),
# so every spawned task is exact in all four builds. The same for a C program whose async code
# is in a shared object (shlib_tokio-*, tests/fixtures/rust/asynclib): same goldens. No program
# may be left loaded.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
build=${BUILD:-$root/build}
sum=$build/unit/ebpf/tasksum_test
if [ ! -x "$strata" ] || [ ! -x "$sum" ]; then
	echo "FAIL ebpf_async: '$strata' or '$sum' not built (make all unit)"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "FAIL ebpf_async: needs root (CAP_BPF, CAP_PERFMON) to attach uprobes"
	exit 1
fi
if ! fx=$("$root/tests/fixtures/build.sh" -q); then
	echo "FAIL ebpf_async: fixtures did not build (tests/fixtures/build.sh)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shlib_tokio-*: a C program whose async code is all in a shared object, libtokio_exact.so (the
# tokio_exact fixture as a cdylib, its code in module `exact`): the discovery runs over every
# object, so its tasks, polls and wakes are the executable build's — the same goldens, once the
# module's name is taken out (unmod).
unmod() { sed 's/tokio_exact::exact::/tokio_exact::/g'; }
all="tokio_exact-debug tokio_exact-release asyncstd_exact-debug asyncstd_exact-release shlib_tokio-debug shlib_tokio-release"
for b in $all; do
	g=${b/shlib_tokio/tokio_exact} # the golden's name
	out=$tmp/$b.trace
	if ! "$strata" record --trace=async -o "$out" -- "$fx/$b" >"$tmp/$b.out" 2>"$tmp/$b.err" ||
		! grep -qx 'total 10' "$tmp/$b.out"; then
		echo "FAIL ebpf_async/$b: record failed: $(head -c 300 "$tmp/$b.err")"
		continue
	fi
	if ! "$sum" "$out" >"$tmp/$b.sum" 2>"$tmp/$b.sumerr"; then
		echo "FAIL ebpf_async/$b: summary failed: $(head -c 300 "$tmp/$b.sumerr")"
		continue
	fi
	# lazy runtime initialisation (once_cell) runs in whichever thread gets there first; a
	# waker that is not a task's (block_on's thread parker: "-> ?") is woken by the runtime
	# as often as the thread happens to park, so those edges are not compared
	unmod <"$tmp/$b.sum" | grep -E '(tokio|asyncstd)_exact::' | grep -v 'once_cell' | grep -v ' -> ? ' |
		awk '/^wake / { i = index($0, " -> "); from = substr($0, 6, i - 6)
			if (from !~ /_exact::/) $0 = "wake (runtime)" substr($0, i) } { print }' \
			>"$tmp/$b.got"
	# a golden's '#' lines say why each count is what it is (kept by STRATA_UPDATE_GOLDEN=1)
	gold=$root/tests/golden/ebpf/$g.txt
	if [ ! -s "$tmp/$b.got" ]; then
		echo "FAIL ebpf_async/$b: no task or wake of the fixture in the summary"
	elif [ "${STRATA_UPDATE_GOLDEN:-0}" = 1 ] && [ "$g" = "$b" ]; then
		{ grep '^#' "$gold" 2>/dev/null; cat "$tmp/$b.got"; } >"$tmp/$b.new"
		cp "$tmp/$b.new" "$gold" && echo "UPDATED ebpf_async/$b"
	elif grep -v '^#' "$gold" | diff -u - "$tmp/$b.got" >"$tmp/$b.diff"; then
		echo "PASS ebpf_async/$b"
	else
		echo "FAIL ebpf_async/$b: summary differs from tests/golden/ebpf/$g.txt: $(head -30 "$tmp/$b.diff" | tr '\n' '|')"
	fi
	# strata tasks reads the native trace like an emulator one: names, merged task
	# announcements, ns units, events of all threads in time order (tests/e2e/ebpf/tasks.awk)
	"$strata" tasks "$out" >"$tmp/$b.tasks" 2>"$tmp/$b.taskserr" &&
		"$strata" tasks --json "$out" >"$tmp/$b.json" 2>>"$tmp/$b.taskserr"
	unmod <"$tmp/$b.tasks" | awk -v pat='_exact::' -f "$root/tests/e2e/ebpf/tasks.awk" | LC_ALL=C sort \
		>"$tmp/$b.tgot"
	tgold=$root/tests/golden/ebpf/tasks-$g.txt
	if ! grep -q '^{"unit": "ns",' "$tmp/$b.json"; then
		echo "FAIL ebpf_async/$b/tasks: --json has no \"unit\": \"ns\": $(head -c 300 "$tmp/$b.taskserr")"
	elif [ ! -s "$tmp/$b.tgot" ]; then
		echo "FAIL ebpf_async/$b/tasks: no task of the fixture in strata tasks: $(head -c 300 "$tmp/$b.taskserr")"
	elif [ "${STRATA_UPDATE_GOLDEN:-0}" = 1 ] && [ "$g" = "$b" ]; then
		{ grep '^#' "$tgold" 2>/dev/null; cat "$tmp/$b.tgot"; } >"$tmp/$b.tnew"
		cp "$tmp/$b.tnew" "$tgold" && echo "UPDATED ebpf_async/$b/tasks"
	elif grep -v '^#' "$tgold" | diff -u - "$tmp/$b.tgot" >"$tmp/$b.tdiff"; then
		echo "PASS ebpf_async/$b/tasks"
	else
		echo "FAIL ebpf_async/$b/tasks: differs from tests/golden/ebpf/tasks-$g.txt: $(head -30 "$tmp/$b.tdiff" | tr '\n' '|')"
	fi
	# the trace is complete and read by the views like any other
	if "$strata" info "$out" | grep -q 'truncated' || ! "$strata" dump "$out" >/dev/null 2>"$tmp/dump.err"; then
		echo "FAIL ebpf_async/$b/views: $(head -c 300 "$tmp/dump.err")"
	else
		echo "PASS ebpf_async/$b/views"
	fi
done
# --trace=tasks: only the task-run functions and wake/wake_by_ref are probed; every spawned task
# must have the same polls, results and wake edges as with --trace=async (the golden's task and
# wake lines); block_on's future is no task run, so it is not seen in this mode
for b in $all; do
	g=${b/shlib_tokio/tokio_exact}
	out=$tmp/$b.tasks.trace
	if ! "$strata" record --trace=tasks -o "$out" -- "$fx/$b" >"$tmp/$b.tout" 2>"$tmp/$b.terr" ||
		! grep -qx 'total 10' "$tmp/$b.tout" || ! "$sum" "$out" >"$tmp/$b.tsum" 2>>"$tmp/$b.terr"; then
		echo "FAIL ebpf_async/tasks-mode/$b: $(head -c 300 "$tmp/$b.terr")"
		continue
	fi
	unmod <"$tmp/$b.tsum" | grep -E '^(task|wake) .*(tokio|asyncstd)_exact::' | grep -v ' -> ? ' |
		awk '/^wake / { i = index($0, " -> "); from = substr($0, 6, i - 6)
			if (from !~ /_exact::/) $0 = "wake (runtime)" substr($0, i) } { print }' \
			>"$tmp/$b.tmgot"
	grep -E '^(task|wake) ' "$root/tests/golden/ebpf/$g.txt" |
		grep -vE '^task [^ ]*(_exact::main::[{]async_block#0[}]|[{]impl#9[}]::run::)' >"$tmp/$b.tmwant"
	if [ ! -s "$tmp/$b.tmwant" ] || [ ! -s "$tmp/$b.tmgot" ]; then
		echo "FAIL ebpf_async/tasks-mode/$b: no task or wake lines (golden or summary)"
	elif diff -u "$tmp/$b.tmwant" "$tmp/$b.tmgot" >"$tmp/$b.tmdiff"; then
		echo "PASS ebpf_async/tasks-mode/$b"
	else
		echo "FAIL ebpf_async/tasks-mode/$b: $(head -30 "$tmp/$b.tmdiff" | tr '\n' '|')"
	fi
done
for i in $(seq 50); do
	bpftool prog show 2>/dev/null | grep -q 'name strata_\(entry\|exit\)' || break
	sleep 0.1
done
if bpftool prog show 2>/dev/null | grep -q 'name strata_\(entry\|exit\)'; then
	echo "FAIL ebpf_async/leftovers: BPF programs still loaded"
else
	echo "PASS ebpf_async/leftovers"
fi

#!/bin/bash
# Acceptance of async tracing (docs/ASYNC.md) on the Rust guests of tests/guests/rust, each at
# opt-level 0, 1, 2 and 3 and each built by rustc-web 1.96 and by Debian 12's rustc 1.63 (the
# GenFuture era, guests named *163-O*): `strata tasks --json` must report exactly the tasks, polls,
# Pending/Ready results, state transitions (with await points), await trees and wake edges
# that the programs produce by construction. tests/guests/rust/README.md derives every number
# from the code; check.py holds them. Then bad inputs: no DWARF, no async code.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
STRATA=${STRATA:-$root/build/strata}
g=$root/tests/guests/rust/build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS async/$1"; }
fail() { echo "FAIL async/$1: $2"; }
# same NAME GOT WANT: GOT equals WANT, and neither is empty (a failed command prints nothing)
same() {
	if [ -z "$2" ] || [ -z "$3" ]; then
		fail "$1" "empty output (got ${#2} bytes, want ${#3})"
	elif [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$4"
	fi
}

# run NAME GUEST TRACERS [strata run options...]: trace and check the guest's own output lines
run() {
	local name=$1 elf=$2 tracers=$3
	shift 3
	if [ ! -f "$elf" ]; then
		fail "$name/build" "$elf missing (make guests)"
		return 1
	fi
	"$STRATA" run "$@" -kernel "$elf" --trace="$tracers" --trace-out "$tmp/$name.trace" \
		</dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
	local st=$?
	if [ $st -ne 0 ]; then
		fail "$name/run" "exit $st: $(head -n 1 "$tmp/$name.err")"
		return 1
	fi
	return 0
}

# the guests' output, as QEMU prints it too (the programs are deterministic)
exec_out='exec: nested=41
exec: joined=1,2
exec: consumer sum=6
exec: done'
kernel_out='kernel: worker done
kernel: tick 1
kernel: tick 2
kernel: done'

# guest KIND NAME TRACERS LINES WANT [strata run options]: run the guest NAME, compare its output
# (LINES=all) or its lines that start with "KIND: " (LINES=own: the kernel runs under OpenSBI's
# banner) with WANT, then check its tasks against check.py's expectations for KIND
guest() {
	local kind=$1 name=$2 tracers=$3 lines=$4 want=$5 pat=
	shift 5
	[ "$lines" = own ] && pat="^$kind: "
	run "$name" "$g/$name.elf" "$tracers" "$@" || return
	if [ "$(tr -d '\r' <"$tmp/$name.out" | grep -a "$pat")" = "$want" ]; then
		pass "$name/output"
	else
		fail "$name/output" "$(grep -a "^$kind" "$tmp/$name.out" | head -n 2 | tr '\n' ' ')"
	fi
	if "$STRATA" tasks --json "$tmp/$name.trace" >"$tmp/$name.json" 2>"$tmp/$name.terr"; then
		python3 "$root/tests/e2e/async/check.py" "$kind" "$name" "$root" "$tmp/$name.json"
	else
		fail "$name/tasks" "exit $?: $(head -n 1 "$tmp/$name.terr")"
	fi
}

for v in '' 163; do
	for o in 0 1 2 3; do
		guest exec "exec$v-O$o" async all "$exec_out" -bios none
		# ftrace and etrace alongside: the same picture, and an S-mode kernel under OpenSBI
		guest kernel "kernel$v-O$o" async,ftrace,etrace own "$kernel_out"
	done
done

# the other views read async traces: text dump, Perfetto, report
for v in text perfetto chrome; do
	if "$STRATA" dump --format=$v -o "$tmp/k.$v" "$tmp/kernel-O2.trace" 2>"$tmp/dump.err"; then
		pass "views/dump_$v"
	else
		fail "views/dump_$v" "$(head -n 1 "$tmp/dump.err")"
	fi
done
if grep -q 'poll .*kernel::rust_main::{async_block#0}' "$tmp/k.text" &&
	grep -q 'wake .*irq s_timer' "$tmp/k.text"; then
	pass views/text_polls_and_wakes
else
	fail views/text_polls_and_wakes "no poll/wake lines in the text dump"
fi

# Perfetto: a track per task under "async tasks", poll slices named by their state transition,
# one flow per wake (2 interrupt wakes + 3 self-wakes in the kernel) ending at a task poll
if command -v protoc >/dev/null; then
	protoc --decode=perfetto.protos.Trace --proto_path="$root/proto" "$root/proto/strata_trace.proto" \
		<"$tmp/k.perfetto" >"$tmp/k.pftxt" 2>"$tmp/pf.err"
	nf=$(grep -cE '^ *flow_ids: ' "$tmp/k.pftxt")
	nt=$(grep -cE '^ *terminating_flow_ids: ' "$tmp/k.pftxt")
	if grep -q 'name: "task 0: kernel::rust_main::{async_block#0}"' "$tmp/k.pftxt" &&
		grep -q 'name: "task 1: kernel::rust_main::{async_block#1}"' "$tmp/k.pftxt" &&
		grep -q 'name: "Unresumed -> Suspend0 (kernel.rs:[0-9]*)"' "$tmp/k.pftxt" &&
		grep -q 'name: "Suspend0 -> Returned"' "$tmp/k.pftxt" && [ "$nf" = 5 ] && [ "$nt" = 5 ]; then
		pass views/perfetto_task_tracks_and_wake_flows
	else
		fail views/perfetto_task_tracks_and_wake_flows "$nf flows, $nt flow ends: $(head -c 300 "$tmp/pf.err")"
	fi
else
	fail views/perfetto_task_tracks_and_wake_flows "protoc missing (scripts/install-deps)"
fi

# Bad inputs: one clear line on stderr, the run and the other tracers go on.
stripped=$g/exec-stripped.elf
if run stripped "$stripped" async,ftrace -bios none; then
	# (the symbol loader adds its own note that the ELF has no symbol table)
	n=$(grep -c -- '--trace=async' "$tmp/stripped.err")
	if [ "$n" = 1 ] && grep -q "exec-stripped.elf: no DWARF debug information" "$tmp/stripped.err"; then
		pass bad/no_dwarf_one_line
	else
		fail bad/no_dwarf_one_line "$n lines: $(head -n 2 "$tmp/stripped.err" | tr '\n' ' ')"
	fi
	if "$STRATA" info "$tmp/stripped.trace" | grep -qE '^events: [1-9]'; then
		pass bad/no_dwarf_ftrace_still_runs
	else
		fail bad/no_dwarf_ftrace_still_runs "no events"
	fi
	if "$STRATA" tasks "$tmp/stripped.trace" >/dev/null 2>"$tmp/t.err"; then
		fail bad/tasks_without_async_events "exit 0"
	elif [ $? = 2 ] && [ "$(grep -c . "$tmp/t.err")" = 1 ] && grep -q "no async events" "$tmp/t.err"; then
		pass bad/tasks_without_async_events
	else
		fail bad/tasks_without_async_events "$(head -n 2 "$tmp/t.err" | tr '\n' ' ')"
	fi
fi

# DWARF in a separate file (docs/ASYNC.md): .gnu_debuglink next to the binary or in .debug/,
# a build ID under STRATA_DEBUG_DIR; a debug file whose CRC does not match is not used
sep=$tmp/sep
mkdir -p "$sep/.debug" "$sep/dbg"
riscv64-unknown-elf-objcopy --only-keep-debug "$g/exec-O2.elf" "$sep/.debug/exec.debug"
riscv64-unknown-elf-objcopy --strip-debug --add-gnu-debuglink="$sep/.debug/exec.debug" \
	"$g/exec-O2.elf" "$sep/exec.elf"
want=$("$STRATA" tasks --discover "$g/exec-O2.elf" | tail -n +2)
for where in .debug next_to_it; do
	same "debuglink/$where" \
		"$(STRATA_DEBUG_DIR=$sep/none "$STRATA" tasks --discover "$sep/exec.elf" 2>&1 | tail -n +2)" \
		"$want" "discovery differs from the unstripped ELF's"
	[ $where = .debug ] && mv "$sep/.debug/exec.debug" "$sep/exec.debug"
done
if run debuglink "$sep/exec.elf" async -bios none; then
	if "$STRATA" tasks --json "$tmp/debuglink.trace" >"$tmp/debuglink.json" 2>"$tmp/debuglink.terr"; then
		python3 "$root/tests/e2e/async/check.py" exec "exec-O2" "$root" "$tmp/debuglink.json" |
			sed 's|async/exec-O2/|async/debuglink/exec-O2/|'
	else
		fail debuglink/tasks "exit $?: $(head -n 1 "$tmp/debuglink.terr")"
	fi
fi
cp "$g/exec-O1.elf" "$sep/exec.debug" # same name, other contents: CRC mismatch
"$STRATA" tasks --discover "$sep/exec.elf" >/dev/null 2>"$tmp/sep.err"
st=$?
if [ $st = 2 ] && [ "$(grep -c . "$tmp/sep.err")" = 1 ] &&
	grep -q "exec.elf: no DWARF debug information (its .gnu_debuglink names exec.debug: not found" "$tmp/sep.err"; then
	pass debuglink/crc_mismatch_not_used
else
	fail debuglink/crc_mismatch_not_used "exit $st: $(head -n 2 "$tmp/sep.err" | tr '\n' ' ')"
fi
host=$g/host-O0
bid=$(readelf -n "$host" | sed -n 's/^ *Build ID: //p')
if [ -n "$bid" ]; then
	mkdir -p "$sep/dbg/.build-id/${bid:0:2}"
	objcopy --only-keep-debug "$host" "$sep/dbg/.build-id/${bid:0:2}/${bid:2}.debug"
	objcopy --strip-debug "$host" "$sep/host"
	want=$("$STRATA" tasks --discover "$host" | tail -n +2)
	same debuglink/build_id \
		"$(STRATA_DEBUG_DIR=$sep/none:$sep/dbg "$STRATA" tasks --discover "$sep/host" 2>&1 | tail -n +2)" \
		"$want" "discovery differs from the unstripped ELF's"
else
	fail debuglink/build_id "$host has no build ID"
fi

c_guest=$root/tests/guests/trace/build/recursion.elf
if run c_guest "$c_guest" async,ftrace -bios none; then
	if [ "$(grep -c . "$tmp/c_guest.err")" = 1 ] && grep -q "recursion.elf: no async code" "$tmp/c_guest.err"; then
		pass bad/no_async_code_one_line
	else
		fail bad/no_async_code_one_line "$(head -n 2 "$tmp/c_guest.err" | tr '\n' ' ')"
	fi
	if "$STRATA" report "$tmp/c_guest.trace" | grep -qE '^ +[0-9]+ +[0-9]+ +67  fib$'; then
		pass bad/no_async_code_ftrace_still_runs
	else
		fail bad/no_async_code_ftrace_still_runs "fib's 67 calls missing from the report"
	fi
fi
if "$STRATA" tasks --discover "$root/tests/guests/rust/exec.rs" >/dev/null 2>"$tmp/d.err"; then
	fail bad/discover_not_elf "exit 0"
elif [ $? = 2 ] && [ "$(grep -c . "$tmp/d.err")" = 1 ] && grep -q "not an ELF" "$tmp/d.err"; then
	pass bad/discover_not_elf
else
	fail bad/discover_not_elf "$(head -n 2 "$tmp/d.err" | tr '\n' ' ')"
fi

# tests/gdb/async_case.sh — the session and golden check e2e/gdb_async and e2e/replay_async
# share. The caller sets root, strata, golden, work, suite (the name in PASS/FAIL lines) and keep
# (the messages of its own that GDB's output keeps: a sed BRE alternative, e.g. 'No more reverse').
# shellcheck shell=bash
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# case_ NAME SCRIPT ELF STRATA-ARGS...: strata with --gdb -S, gdb-multiarch running
# tests/gdb/SCRIPT.gdb; the lines about the stops against $golden/SCRIPT.out (SCRIPT-O0.out at O0)
case_() {
	local name=$1 script=$2 elf=$3 port out=$work/$1.out
	shift 3
	port=$(free_port)
	"$strata" run -bios none -kernel "$elf" "$@" --gdb "127.0.0.1:$port" -S \
		>"$work/$name.guest" 2>"$work/$name.err" </dev/null &
	local pid=$!
	for _ in $(seq 50); do grep -q listening "$work/$name.err" && break; sleep 0.1; done
	timeout 120 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex 'set width 0' -ex "file $elf" -ex "target remote 127.0.0.1:$port" \
		-x "$root/tests/gdb/$script.gdb" >"$out.raw" 2>&1
	local gs=$?
	wait $pid
	# where GDB shows the stop: source file and line only (arguments differ between builds; the
	# guests are cached, so the path is that of whichever checkout built them first)
	sed -n -e 's|^.* at \([^ ]*/\)\{0,1\}rust/\([a-z]*\.rs:[0-9]*\)$|  stopped in \2|p' \
		-e "/^\(strata: hart\|await tree\|  \|break on:\|$keep\|\[Inferior\)/p" \
		"$out.raw" |
		# wake_by_ref's body (executor.rs:34) is wake's (:28); O2-O3 fold the two into one
		sed 's/^  stopped in executor\.rs:34$/  stopped in executor.rs:28/' >"$out"
	echo "gdb exit $gs" >>"$out"
	# at O0 Forgetful's poll is a call of its own, in the await tree; inlined at O1-O3
	local gold=$golden/$script.out
	case $name in *-O0) gold=$golden/$script-O0.out ;; esac
	if [ "${STRATA_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$out" "$gold" && echo "UPDATED $suite/$name"
	elif cmp -s "$out" "$gold"; then
		echo "PASS $suite/$name"
	else
		echo "FAIL $suite/$name"
		diff "$gold" "$out" | head -n 20 | sed 's/^/  | /'
		tail -n 3 "$work/$name.err" | sed 's/^/  | strata: /'
	fi
}

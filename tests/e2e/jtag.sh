#!/bin/bash
# e2e/jtag — `strata run --jtag` with Debian's openocd (scripts/openocd/strata.cfg; with
# --jtag pty, strata-buspirate.cfg) and
# gdb-multiarch (target extended-remote), as docs/JTAG.md describes:
#   levels:   fw.elf (M) + kernel.elf (S) + prog.elf (U) of tests/guests/gdb: halted at reset,
#             `monitor reset halt`, software and hardware breakpoints in M, S and U code, GPRs and CSRs read
#             and written, memory against the ELF (compare-sections) and a store, stepping
#             across sret and mret, the guest's output unchanged, clean exits
#   smp:      -smp 2: two OpenOCD targets in an SMP group, one GDB thread per hart
#   badinput: --jtag with --gdb, a bad --jtag; bytes that are not remote_bitbang, a client that
#             drops in the middle of a scan, then OpenOCD still works
#   bp-*:     levels and smp again through `--jtag pty` and OpenOCD's buspirate adapter
#             (scripts/openocd/strata-buspirate.cfg); bp-badinput: a bad spec, bytes that are no
#             Bus Pirate command, a client that closes the pty in the middle of a CMD_TAP_SHIFT
#   sbrepeat: what the debug suite's RepeatReadTest asks of the Debug Module (its `riscv
#             repeat_read` is not in Debian's OpenOCD 0.12), with raw DMI accesses through
#             OpenOCD's `riscv dmi_read/dmi_write`: 64 system-bus reads of mtime at one address
#             (sbreadondata, no autoincrement) on a --realtime run with the hart halted; each
#             read of sbdata0 starts the next bus read, so the values increase
# Every process runs under timeout and is killed on exit.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
g=$root/tests/guests/gdb/build
cfg=$root/scripts/openocd/strata.cfg
bpcfg=$root/scripts/openocd/strata-buspirate.cfg
work=$(mktemp -d)
[ -n "${JTAG_KEEP:-}" ] && work=$JTAG_KEEP && mkdir -p "$work"
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [ -n "${JTAG_KEEP:-}" ] || rm -rf "$work"' EXIT

for tool in openocd gdb-multiarch; do
	command -v $tool >/dev/null || { echo "FAIL jtag: $tool is not installed (scripts/install-deps)"; exit 1; }
done
[ -f "$g/fw.elf" ] || { echo "FAIL jtag: $g/fw.elf missing (make guests)"; exit 1; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for FILE TEXT: up to 10 s
wait_for() {
	for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

# pty_of FILE: the pseudo-terminal `--jtag pty` printed in strata's stderr FILE
pty_of() {
	sed -n 's|^strata: jtag: Bus Pirate protocol on \(/dev/pts/[0-9]*\).*|\1|p' "$1"
}

# session NAME HARTS GDB-SCRIPT -- STRATA-ARGS: strata -S --jtag, OpenOCD, GDB running the script;
# with adapter=pty, `--jtag pty` and OpenOCD's buspirate adapter (strata-buspirate.cfg)
adapter=rbb
session() {
	local name=$1 harts=$2 script=$3 rbb gdbp pty=
	shift 4
	rbb=$(free_port)
	gdbp=$(free_port)
	[ $adapter = pty ] && rbb=pty || rbb=127.0.0.1:$rbb
	timeout 120 "$strata" run "$@" --jtag "$rbb" -S >"$work/$name.guest" \
		2>"$work/$name.err" </dev/null &
	local spid=$!
	wait_for "$work/$name.err" 'remote_bitbang\|Bus Pirate' || { echo "FAIL jtag/$name: strata did not listen"; return; }
	[ $adapter = pty ] && pty=$(pty_of "$work/$name.err")
	STRATA_JTAG_PORT=${rbb#127.0.0.1:} STRATA_JTAG_PTY=$pty STRATA_GDB_PORT=$gdbp STRATA_HARTS=$harts \
		timeout 120 openocd -f "$([ $adapter = pty ] && echo "$bpcfg" || echo "$cfg")" \
		>"$work/$name.ocd" 2>&1 &
	local opid=$!
	wait_for "$work/$name.ocd" "Listening on port $gdbp" || {
		echo "FAIL jtag/$name: OpenOCD did not start"; tail -n 5 "$work/$name.ocd" | sed 's/^/  | /'; return; }
	timeout 120 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex 'set width 0' -ex 'set osabi none' -ex "file $g/fw.elf" \
		-ex "add-symbol-file $g/kernel.elf" -ex "add-symbol-file $g/prog.elf" \
		-ex "target extended-remote 127.0.0.1:$gdbp" -x "$root/tests/jtag/$script.gdb" \
		>"$work/$name.out" 2>&1
	echo "gdb exit $?" >>"$work/$name.out"
	wait $spid
	echo "strata exit $?" >>"$work/$name.out"
	kill $opid 2>/dev/null
	wait $opid 2>/dev/null
}

# check NAME TAG EXPECTED...: the lines after "CHECK-TAG" in NAME's GDB output start with these
check() {
	local name=$1 tag=$2 got
	shift 2
	# OpenOCD's own messages ("[riscv.hart0] Found 2 triggers") reach GDB's console: not ours
	got=$(awk -v t="CHECK-$tag" '$0 == t" " || $0 == t {f=1; next} /^CHECK-/ {f=0} /^\[riscv\./ {next} f' \
		"$work/$name.out" | head -n $# | tr '\n' '|')
	local want=""
	for w in "$@"; do want="$want$w|"; done
	# each expected line is a shell pattern
	local i=0 ok=1 w
	local -a gl wl
	IFS='|' read -ra gl <<<"$got"
	IFS='|' read -ra wl <<<"$want"
	for w in "${wl[@]}"; do
		# shellcheck disable=SC2053
		[[ "${gl[$i]:-}" == $w ]] || ok=0
		i=$((i + 1))
	done
	if [ $ok = 1 ]; then
		echo "PASS jtag/$name-$tag"
	else
		echo "FAIL jtag/$name-$tag: got '${got}' want '${want}'"
		tail -n 5 "$work/$name.err" | sed 's/^/  | strata: /'
	fi
}

# ---- levels, smp: the same sessions through remote_bitbang (levels, smp) and the Bus Pirate
# protocol on a pty (bp-levels, bp-smp) ----
levels_checks() {
	local levels=$1
	check "$levels" reset-pc '$1 = 0x1000'
	check "$levels" reset-priv '$2 = 3'
	check "$levels" reset-halt '$3 = 0x1000'
	check "$levels" s-break '$4 = 0x1' '$5 = 1'
	check "$levels" m-break '$6 = 107' '$7 = 3'
	check "$levels" csr '$8 = 0x9' '$9 = 0x1234abcd'
	check "$levels" regs '$10 = 0x1' '$11 = 0x5a5a5a5a'
	check "$levels" memory 'Section .text, range 0x80000000 -- 0x*: matched.' '0x80100000:*0xfeedc0de'
	check "$levels" sret '$12 = 1' 'say (*' '*' '$13 = 0' '$14 = 0x1'
	check "$levels" u-break '$15 = 0x1' '$16 = 0'
	check "$levels" mret '$17 = 3' 'sbi_call (*' '*' '$18 = 1' '$19 = 0x1'
	check "$levels" hw-s '$20 = 0x1' '$21 = 1'
	check "$levels" hw-m '$22 = 0x1' '$23 = 3'
	check "$levels" hw-u '$24 = 0x10000' '$25 = 0'
	# the run went on to the guest's own end after GDB's last continue
	if grep -q 'kernel: prog2 exited' "$work/$levels.guest" && grep -q 'strata exit 0' "$work/$levels.out"; then
		echo "PASS jtag/$levels-guest-ran-to-its-end"
	else
		echo "FAIL jtag/$levels-guest-ran-to-its-end: $(tail -n 2 "$work/$levels.out" | tr '\n' ' ')"
		tail -n 3 "$work/$levels.guest" "$work/$levels.err" | sed 's/^/  | /'
	fi
}

smp_checks() {
	local smp=$1
	check "$smp" threads '*Id*Target Id*' '\* 1 *Thread 1*' '  2 *Thread 2*'
	check "$smp" hart1 '*Switching to thread 2*' '#0*'
	check "$smp" hart1regs '$1 = 0x1' '$2 = 3'
	check "$smp" hart0 '$3 = 0x0' '$4 = 107'
	if grep -q 'strata exit 0' "$work/$smp.out"; then
		echo "PASS jtag/$smp-exit"
	else
		echo "FAIL jtag/$smp-exit: $(tail -n 2 "$work/$smp.out" | tr '\n' ' ')"
	fi
}

for adapter in rbb pty; do
	p=$([ $adapter = pty ] && echo bp-)
	session ${p}levels 1 levels -- -bios "$g/fw.elf" -kernel "$g/kernel.elf"
	levels_checks ${p}levels
	session ${p}smp 2 smp -- -smp 2 -bios "$g/fw.elf" -kernel "$g/kernel.elf"
	smp_checks ${p}smp
done
adapter=rbb

# ---- bad input ----
out=$("$strata" run -bios "$g/fw.elf" --jtag 9 --gdb 10 2>&1)
st=$?
if [ $st = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q 'alternatives'; then
	echo "PASS jtag/badinput-with-gdb"
else
	echo "FAIL jtag/badinput-with-gdb: status $st: $out"
fi
out=$("$strata" run -bios "$g/fw.elf" --jtag 127.0.0.1:99999 2>&1)
st=$?
if [ $st = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q -- '--jtag'; then
	echo "PASS jtag/badinput-port"
else
	echo "FAIL jtag/badinput-port: status $st: $out"
fi
rbb=$(free_port)
gdbp=$(free_port)
timeout 60 "$strata" run -bios "$g/fw.elf" -kernel "$g/kernel.elf" --jtag "127.0.0.1:$rbb" -S \
	>"$work/bad.guest" 2>"$work/bad.err" </dev/null &
spid=$!
wait_for "$work/bad.err" remote_bitbang
# garbage, a scan cut in the middle (TCK high in Shift-DR), a read, then the socket closes
python3 - "$rbb" <<'PY' >"$work/bad.py" 2>&1
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"\x00\xffhello\nXYZ" + b"0246" * 3 + b"02" + b"04" + b"0404" + b"R")
print("answer", s.recv(1))
s.close()
PY
if grep -q "answer b'[01]'" "$work/bad.py" && [ "$(grep -c 'ignoring byte' "$work/bad.err")" = 1 ] &&
	kill -0 $spid 2>/dev/null; then
	echo "PASS jtag/badinput-bytes"
else
	echo "FAIL jtag/badinput-bytes: $(cat "$work/bad.py") / $(tail -n 3 "$work/bad.err")"
fi
STRATA_JTAG_PORT=$rbb STRATA_GDB_PORT=$gdbp timeout 60 openocd -f "$cfg" -c init -c 'reg pc' \
	-c 'resume' -c shutdown >"$work/bad.ocd" 2>&1
if grep -q 'pc (/64): 0x0000000000001000' "$work/bad.ocd"; then
	echo "PASS jtag/badinput-openocd-after"
else
	echo "FAIL jtag/badinput-openocd-after: $(grep -i error "$work/bad.ocd" | head -n 3)"
fi
wait $spid
st=$?
if [ $st = 0 ] && grep -q 'kernel: prog2 exited' "$work/bad.guest"; then
	echo "PASS jtag/badinput-guest-ends"
else
	echo "FAIL jtag/badinput-guest-ends: strata status $st"
fi

# the Bus Pirate path (--jtag pty): a bad spec; bytes that are no command in binary and in
# OpenOCD mode (one warning), a client that closes the pty in the middle of a CMD_TAP_SHIFT (one
# line); strata keeps running and OpenOCD works after
out=$("$strata" run -bios "$g/fw.elf" --jtag ptyx 2>&1)
st=$?
if [ $st = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q -- '--jtag ptyx'; then
	echo "PASS jtag/bp-badinput-spec"
else
	echo "FAIL jtag/bp-badinput-spec: status $st: $out"
fi
timeout 60 "$strata" run -bios "$g/fw.elf" -kernel "$g/kernel.elf" --jtag pty -S \
	>"$work/bpbad.guest" 2>"$work/bpbad.err" </dev/null &
spid=$!
wait_for "$work/bpbad.err" 'Bus Pirate protocol'
pty=$(pty_of "$work/bpbad.err")
python3 - "$pty" <<'PY' >"$work/bpbad.py" 2>&1
import os, select, sys, time, tty
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
def ask(data, n):
    os.write(fd, data)
    got, end = b"", time.time() + 5
    while len(got) < n and time.time() < end:
        if select.select([fd], [], [], 0.5)[0]:
            got += os.read(fd, 4096)
    return got
print("bbio", ask(b"\x55\xaa hello\n\x00", 5))
print("ocd", ask(b"\x06", 4))
print("adcs", ask(b"\x7f\xff\x03", 10)[:2].hex())
# CMD_TAP_SHIFT of 0x1000 bits, cut after 3 of its 1024 bytes, then the pty closes
os.write(fd, b"\x05\x10\x00\x00\x01\x00")
time.sleep(0.3)
os.close(fd)
time.sleep(0.3)
PY
if grep -q "^bbio b'BBIO1'$" "$work/bpbad.py" && grep -q "^ocd b'OCD1'$" "$work/bpbad.py" &&
	grep -q "^adcs 0308$" "$work/bpbad.py" && [ "$(grep -c 'ignoring byte' "$work/bpbad.err")" = 1 ] &&
	kill -0 $spid 2>/dev/null; then
	echo "PASS jtag/bp-badinput-bytes"
else
	echo "FAIL jtag/bp-badinput-bytes: $(tr '\n' ' ' <"$work/bpbad.py") / $(tail -n 3 "$work/bpbad.err" | tr '\n' ' ')"
fi
if [ "$(grep -c "closed $pty in the middle of a command" "$work/bpbad.err")" = 1 ] && kill -0 $spid 2>/dev/null; then
	echo "PASS jtag/bp-badinput-drop-mid-shift"
else
	echo "FAIL jtag/bp-badinput-drop-mid-shift: $(tail -n 3 "$work/bpbad.err" | tr '\n' ' ')"
fi
STRATA_JTAG_PTY=$pty STRATA_GDB_PORT=$(free_port) timeout 60 openocd -f "$bpcfg" -c init -c 'reg pc' \
	-c 'resume' -c shutdown >"$work/bpbad.ocd" 2>&1
if grep -aq 'pc (/64): 0x0000000000001000' "$work/bpbad.ocd"; then
	echo "PASS jtag/bp-badinput-openocd-after"
else
	echo "FAIL jtag/bp-badinput-openocd-after: $(grep -ai error "$work/bpbad.ocd" | head -n 3)"
fi
wait $spid
st=$?
if [ $st = 0 ] && grep -q 'kernel: prog2 exited' "$work/bpbad.guest"; then
	echo "PASS jtag/bp-badinput-guest-ends"
else
	echo "FAIL jtag/bp-badinput-guest-ends: strata status $st"
fi

# ---- sbrepeat ----
rbb=$(free_port)
timeout 60 "$strata" run -bios "$g/fw.elf" -kernel "$g/kernel.elf" --realtime \
	--jtag "127.0.0.1:$rbb" -S >"$work/sbr.guest" 2>"$work/sbr.err" </dev/null &
spid=$!
wait_for "$work/sbr.err" remote_bitbang
# sbcs: sbreadonaddr, sbaccess 2 (32 bits), sbreadondata; sbaddress0: the CLINT's mtime
STRATA_JTAG_PORT=$rbb STRATA_GDB_PORT=$(free_port) timeout 60 openocd -f "$cfg" -c init -c '
	riscv dmi_write 0x38 0x148000
	riscv dmi_write 0x39 0x200bff8
	set v {}
	for {set i 0} {$i < 64} {incr i} { lappend v [string trim [riscv dmi_read 0x3c]] }
	echo "SBREAD $v"
	echo "SBCS [string trim [riscv dmi_read 0x38]] SBADDRESS0 [string trim [riscv dmi_read 0x39]]"' \
	-c shutdown \
	>"$work/sbr.ocd" 2>&1
kill $spid 2>/dev/null
wait $spid 2>/dev/null
# 64 values, each above the one before; sbcs: no sberror (bits 14:12), sbbusy or sbbusyerror;
# sbaddress0 where it was (no autoincrement)
if python3 - "$work/sbr.ocd" <<'PY'; then
import sys
lines = open(sys.argv[1]).read().splitlines()
v = [int(x, 16) for l in lines if l.startswith("SBREAD ") for x in l.split()[1:]]
sb = [l.split() for l in lines if l.startswith("SBCS ")]
ok = len(v) == 64 and all(b > a for a, b in zip(v, v[1:]))
ok = ok and len(sb) == 1 and int(sb[0][1], 16) & 0x607000 == 0 and int(sb[0][3], 16) == 0x200bff8
sys.exit(0 if ok else 1)
PY
	echo "PASS jtag/sbrepeat-mtime"
else
	echo "FAIL jtag/sbrepeat-mtime: $(grep '^SB' "$work/sbr.ocd" | cut -c1-200 | tr '\n' ' ')"
	grep -i error "$work/sbr.ocd" | head -n 3 | sed 's/^/  | /'
fi

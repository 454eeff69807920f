#!/bin/bash
# e2e/attach — `strata attach` (src/attach, docs/ATTACH.md) between gdb-multiarch and an
# upstream RSP server:
#   riscv:    qemu-system-riscv64 -S with OpenSBI + the project's Linux image (make linux-image);
#             GDB is given no file and no add-symbol-file: the executable (fw_jump.elf@m) and
#             the library list (vmlinux@s, init@u) come from strata; a stop in the kernel's
#             sys_write says S, one in the init's report() says U, both with their symbols;
#             monitor libs, walk (Sv57 on QEMU's default CPU), break-on syscall (write's a7 =
#             64), a QEMU monitor command forwarded; kill ends strata with status 0
#   jtag:     strata run --jtag + OpenOCD (scripts/openocd/strata.cfg) as the upstream: the
#             guests of tests/guests/gdb, breakpoints in S and U code with their level
#   dies:     the upstream killed while GDB waits in continue: GDB gets an error, strata exits
#             with status 1 and one line
#   malformed: a fake upstream (tests/attach/fake_upstream.py) whose register reply has a bad
#             checksum, is oversized (GDB gets an error, strata goes on), is cut off by a close,
#             or is garbage then a close (GDB gets an error, strata exits 1): strata says what
#             happened in one line, never crashes
#   badinput: no upstream, a bad HOST:PORT, a bad --sym level, a missing --sym file, a refused
#             connection, a bad serial baud: one line, exit status 2
# ATTACH_CASES="riscv jtag dies malformed badinput" (the default) selects cases.
# Every process runs under timeout and is killed on exit.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
sbi=/usr/lib/riscv64-linux-gnu/opensbi/generic
work=$(mktemp -d)
[ -n "${ATTACH_KEEP:-}" ] && work=$ATTACH_KEEP && mkdir -p "$work"
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [ -n "${ATTACH_KEEP:-}" ] || rm -rf "$work"' EXIT

for tool in qemu-system-riscv64 gdb-multiarch openocd python3; do
	command -v $tool >/dev/null || { echo "FAIL attach: $tool is not installed (scripts/install-deps)"; exit 1; }
done

case_on() { [[ " ${ATTACH_CASES:-riscv jtag dies malformed badinput} " == *" $1 "* ]]; }
suite=attach
. "$root/tests/attach/lib.sh"
gdb_run() { # gdb_run OUT PORT ARGS...: a batch GDB session on strata's port
	local out=$1 port=$2
	shift 2
	timeout -k 5 120 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex 'set width 0' -ex "target remote 127.0.0.1:$port" "$@" >"$out" 2>&1
}

# --- riscv: QEMU + OpenSBI + Linux ----------------------------------------------------------
if ! img=$(cd "$root" && make -s --no-print-directory linux-image 2>"$work/build.err"); then
	echo "FAIL attach/image: make linux-image failed:"
	tail -n 15 "$work/build.err" | sed 's/^/  | /'
	exit 1
fi
img=$(printf '%s\n' "$img" | tail -n 1)
cp "$img/disk.img" "$work/disk.img"

# qemu_rv NAME PORT: QEMU halted at reset with its gdbstub on PORT
qemu_rv() {
	timeout -k 5 120 qemu-system-riscv64 -M virt -nographic -m 128M -bios "$sbi/fw_jump.elf" \
		-kernel "$img/Image" -initrd "$img/initramfs.cpio.gz" -append console=ttyS0 \
		-drive "file=$work/disk.img,format=raw,if=none,id=hd0" -device virtio-blk-device,drive=hd0 \
		-gdb "tcp:127.0.0.1:$2" -S </dev/null >"$work/$1.qemu" 2>&1 &
}
syms_rv=(--sym "$sbi/fw_jump.elf@m" --sym "$img/vmlinux@s" --sym "$img/init@u")

qp=$(free_port)
if case_on riscv; then
gp=$(free_port)
qemu_rv riscv "$qp"
wait_listen "$qp" || echo "FAIL attach/riscv: QEMU did not listen"
timeout -k 5 120 "$strata" attach "127.0.0.1:$qp" --gdb "$gp" "${syms_rv[@]}" >"$work/riscv.strata" 2>&1 &
spid=$!
wait_listen "$gp" || echo "FAIL attach/riscv: strata did not listen"
gdb_run "$work/riscv.out" "$gp" -x "$root/tests/attach/riscv.gdb"
wait $spid
echo "strata exit $?" >>"$work/riscv.out"
expect riscv/exec "$work/riscv.out" libs "vmlinux" "/init$" &&
	grep -q "Reading symbols from $sbi/fw_jump.elf" "$work/riscv.out" &&
	echo "PASS attach/riscv/exec-file" || echo "FAIL attach/riscv/exec-file: GDB did not load fw_jump.elf"
expect riscv/reset-priv "$work/riscv.out" reset "^privilege: M \(register priv\)"
expect riscv/kernel "$work/riscv.out" kernel "^privilege: S" "^\\\$1 = 1" "#0 .* in sys_write \(\) from .*vmlinux" \
	"#1 .* in handle_exception \(\)"
expect riscv/user "$work/riscv.out" user "^privilege: U" "#0 .* in report \(\) from .*/init" "#1 .* in main \(\)"
expect riscv/monitor-libs "$work/riscv.out" monlibs "^exec M .*fw_jump.elf" "^on   S .*vmlinux" "^on   U +0x10000-.*init"
expect riscv/walk "$work/riscv.out" walk "^walk 0x10000: root 0x" "level 4 " "level 0 .*\(leaf\)" "-> physical 0x"
expect riscv/break-on-syscall "$work/riscv.out" syscall "^strata: stopped: syscall a7=64 \(U -> S\)" "= 0x8$"
expect riscv/forward "$work/riscv.out" forward "^ pc +[0-9a-f]+" "mstatus"
expect riscv/kill "$work/riscv.out" end "^strata exit 0$"
fi

# --- jtag: strata's own Debug Module through OpenOCD -----------------------------------------
if case_on jtag; then
g=$root/tests/guests/gdb/build
if [ -f "$g/fw.elf" ]; then
	rbb=$(free_port)
	op=$(free_port)
	gp=$(free_port)
	timeout -k 5 120 "$strata" run -bios "$g/fw.elf" -kernel "$g/kernel.elf" --jtag "127.0.0.1:$rbb" -S \
		>"$work/jtag.guest" 2>"$work/jtag.err" </dev/null &
	wait_listen "$rbb" || echo "FAIL attach/jtag: strata run did not listen"
	STRATA_JTAG_PORT=$rbb STRATA_GDB_PORT=$op STRATA_HARTS=1 \
		timeout -k 5 120 openocd -f "$root/scripts/openocd/strata.cfg" >"$work/jtag.ocd" 2>&1 &
	wait_listen "$op" || echo "FAIL attach/jtag: OpenOCD did not listen"
	timeout -k 5 120 "$strata" attach "127.0.0.1:$op" --gdb "$gp" --sym "$g/fw.elf@m" \
		--sym "$g/kernel.elf@s" --sym "$g/prog.elf@u" --sym "$g/prog2.elf@u" >"$work/jtag.strata" 2>&1 &
	spid=$!
	wait_listen "$gp" || echo "FAIL attach/jtag: strata attach did not listen"
	gdb_run "$work/jtag.out" "$gp" -x "$root/tests/attach/jtag.gdb"
	wait $spid
	echo "strata exit $?" >>"$work/jtag.out"
	expect jtag/reset "$work/jtag.out" reset "^privilege: M"
	expect jtag/kernel "$work/jtag.out" kernel "^privilege: S" "^kmain in section .text"
	expect jtag/user "$work/jtag.out" user "^privilege: U" "^_start in section .text of .*/prog.elf" \
		"^on   U .*/prog.elf" "^off  U .*/prog2.elf"
	expect jtag/user2 "$work/jtag.out" user2 "^privilege: U" "^_start in section .text of .*/prog2.elf" \
		"^off  U .*/prog.elf" "^on   U .*/prog2.elf"
	expect jtag/end "$work/jtag.out" end "^strata exit 0$"
else
	echo "FAIL attach/jtag: $g/fw.elf missing (make guests)"
fi
fi

# --- the upstream dies while GDB waits --------------------------------------------------------
if case_on dies; then
qp=$(free_port)
gp=$(free_port)
qemu_rv dies "$qp"
qpid=$!
wait_listen "$qp" || echo "FAIL attach/dies: QEMU did not listen"
timeout -k 5 120 "$strata" attach "127.0.0.1:$qp" --gdb "$gp" "${syms_rv[@]}" >"$work/dies.strata" 2>&1 &
spid=$!
wait_listen "$gp" || echo "FAIL attach/dies: strata did not listen"
(sleep 3 && kill -9 $qpid 2>/dev/null; pkill -9 -P $qpid 2>/dev/null) &
gdb_run "$work/dies.out" "$gp" -ex continue -ex 'echo CHECK-after \n' -ex 'info registers pc'
wait $spid
src=$?
if [ $src = 1 ] && [ "$(wc -l <"$work/dies.strata")" -le 3 ] &&
	grep -q "^strata: attach: upstream 127.0.0.1:$qp closed the connection" "$work/dies.strata" &&
	grep -Eq "Remote connection closed|Remote failure reply|not being run" "$work/dies.out"; then
	echo "PASS attach/dies"
else
	echo "FAIL attach/dies: strata exit $src (want 1 and one line), GDB:"
	tail -n 6 "$work/dies.out" "$work/dies.strata" | sed 's/^/  | /'
fi
fi

# --- malformed upstream packets ---------------------------------------------------------------
if case_on malformed; then
# mode, what strata says on stderr, and its exit status
for m in "badsum:bad checksum:0" "oversize:malformed or oversized:0" "cut:closed the connection:1" \
	"garbage:closed the connection:1"; do
	mode=${m%%:*} why=${m#*:} want=${m##*:}
	why=${why%:*}
	up=$(free_port)
	gp=$(free_port)
	timeout -k 5 60 python3 "$root/tests/attach/fake_upstream.py" "$up" "$mode" >"$work/fake.$mode" 2>&1 &
	wait_listen "$up" || echo "FAIL attach/malformed/$mode: fake upstream did not listen"
	timeout -k 5 60 "$strata" attach "127.0.0.1:$up" --gdb "$gp" --timeout 2000 >"$work/mal.$mode.strata" 2>&1 &
	spid=$!
	wait_listen "$gp" || echo "FAIL attach/malformed/$mode: strata did not listen"
	timeout -k 5 60 gdb-multiarch -batch -nx -ex 'set architecture riscv:rv64' \
		-ex "target remote 127.0.0.1:$gp" -ex 'info registers pc' -ex 'x/2x 0x1000' \
		>"$work/mal.$mode.out" 2>&1
	wait $spid
	src=$?
	if [ $src = "$want" ] && ! grep -Eq "AddressSanitizer|runtime error|Segmentation|Aborted" "$work/mal.$mode.strata" &&
		grep -q "^strata: attach: upstream 127.0.0.1:$up .*$why" "$work/mal.$mode.strata" &&
		grep -Eq "E01|Remote connection closed|Remote failure|Could not fetch|Cannot access|not being run|no registers" "$work/mal.$mode.out"; then
		echo "PASS attach/malformed/$mode"
	else
		echo "FAIL attach/malformed/$mode: strata exit $src (want $want), '$why' on stderr:"
		tail -n 6 "$work/mal.$mode.out" "$work/mal.$mode.strata" | sed 's/^/  | /'
	fi
done
fi

# --- bad input --------------------------------------------------------------------------------
if case_on badinput; then
dead=$(free_port)
bad() { # bad NAME REGEX ARGS...: one line matching REGEX, exit status 2
	local name=$1 re=$2 rc
	shift 2
	timeout -k 5 10 "$strata" attach "$@" >"$work/bad.out" 2>&1
	rc=$?
	if [ $rc = 2 ] && [ "$(wc -l <"$work/bad.out")" = 1 ] && grep -Eq -- "$re" "$work/bad.out"; then
		echo "PASS attach/badinput/$name"
	else
		echo "FAIL attach/badinput/$name: exit $rc:"
		sed 's/^/  | /' "$work/bad.out"
	fi
}
bad no-upstream "no upstream"
bad spec "expected HOST:PORT or serial" nohost
bad level "the level after @ is m, s or u" "127.0.0.1:$dead" --sym "$img/vmlinux@x"
bad missing-sym "--sym /nonexistent.elf: No such file" "127.0.0.1:$dead" --sym /nonexistent.elf
bad not-elf "not an ELF file" "127.0.0.1:$dead" --sym "$img/disk.img"
bad refused "127.0.0.1:$dead: cannot connect: Connection refused" "127.0.0.1:$dead" --gdb "$(free_port)"
bad baud "expected serial:DEVICE\[,BAUD\]" "serial:/dev/null,12"
bad gdb-port "--gdb 99999" "127.0.0.1:$dead" --gdb 99999
fi

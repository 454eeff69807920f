#!/bin/bash
# e2e/gdb — Debian's gdb-multiarch in batch mode against `strata run --gdb`:
#   levels:      M firmware + S kernel + U program (tests/guests/gdb), no symbol commands: a
#                breakpoint in the firmware's SBI handler, bt with source, finish, break-on priv
#                back into the kernel, the program's main, a watchpoint, stepping across sret
#                and mret, CSR reads and writes
#   breakpoints: software (conditional) and hardware breakpoints, rwatch/awatch, stepi
#   smp:         -smp 2: one thread per hart
#   opensbi:     Debian's stripped OpenSBI: monitor break-on sbi, breakpoints by address,
#                then the kernel's symbols
#   linux:       the project's Linux image with vmlinux and init as symbol files
#   protocol:    tests/gdb/rsp_client.py: malformed packets, Ctrl-C, reconnect after a drop
# GDB's output (paths made relative) must equal tests/golden/gdb/NAME.out; STRATA_UPDATE_GOLDEN=1
# rewrites the goldens instead.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
golden=$root/tests/golden/gdb
g=$root/tests/guests/gdb/build
t=$root/tests/guests/trace/build
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# case NAME SCRIPT GDB-ARGS -- STRATA-ARGS: GDB runs SCRIPT against strata started with -S.
case_() {
	local name=$1 script=$2 port out=$work/$1.out
	shift 2
	local gdbargs=()
	while [ "$1" != -- ]; do gdbargs+=("$1"); shift; done
	shift
	port=$(free_port)
	"$strata" run "$@" --gdb "127.0.0.1:$port" -S >"$work/$name.guest" 2>"$work/$name.err" </dev/null &
	local pid=$!
	for _ in $(seq 50); do grep -q listening "$work/$name.err" && break; sleep 0.1; done
	timeout 120 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex 'set width 0' "${gdbargs[@]}" -ex "target remote 127.0.0.1:$port" \
		-x "$root/tests/gdb/$script.gdb" >"$out.raw" 2>&1
	local gs=$?
	wait $pid
	local ss=$?
	# paths as the repository names them; GDB's remark about vFile is not ours to test
	sed -e "s|$root/||g" -e 's|/[^ ]*/strata/linux/[0-9a-f]*/|LINUX/|g' \
		-e '/does not support file transfer/d' "$out.raw" >"$out"
	echo "gdb exit $gs, strata exit $ss" >>"$out"
	if [ "${STRATA_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$out" "$golden/$name.out" && echo "UPDATED gdb/$name"
	elif cmp -s "$out" "$golden/$name.out"; then
		echo "PASS gdb/$name"
	else
		echo "FAIL gdb/$name"
		diff "$golden/$name.out" "$out" | head -n 30 | sed 's/^/  | /'
		tail -n 5 "$work/$name.err" | sed 's/^/  | strata: /'
	fi
}

mkdir -p "$golden"
case_ levels levels -- -bios "$g/fw.elf" -kernel "$g/kernel.elf" --sym "$g/prog.elf@u"
(cd "$work" && case_ monitor monitor -- -bios "$g/fw.elf" -kernel "$g/kernel.elf" --sym "$g/prog.elf@u" \
	--trace-out monitor.trace)
# what `monitor trace` recorded: ftrace and etrace from the start to main, nothing after
if ! "$strata" report "$work/monitor.trace" >"$work/monitor.report" 2>&1; then
	echo "FAIL gdb/monitor-trace: strata report: $(head -n 1 "$work/monitor.report")"
elif [ "${STRATA_UPDATE_GOLDEN:-}" = 1 ]; then
	cp "$work/monitor.report" "$golden/monitor.report" && echo "UPDATED gdb/monitor-trace"
elif cmp -s "$work/monitor.report" "$golden/monitor.report"; then
	echo "PASS gdb/monitor-trace"
else
	echo "FAIL gdb/monitor-trace: strata report differs from tests/golden/gdb/monitor.report"
	diff "$golden/monitor.report" "$work/monitor.report" | head -n 20 | sed 's/^/  | /'
fi
case_ breakpoints breakpoints -- -bios none -kernel "$t/recursion.elf"
case_ processes processes -- -bios "$g/fw.elf" -kernel "$g/kernel.elf" --sym "$g/prog.elf@u" --sym "$g/prog2.elf@u"
case_ smp smp -- -smp 2 -bios "$g/fw.elf" -kernel "$g/kernel.elf" --sym "$g/prog.elf@u"
case_ opensbi opensbi -- -kernel "$t/s_kernel.elf"

# the wire protocol against a guest that never ends (U-Boot at its prompt)
port=$(free_port)
"$strata" run -kernel /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin --gdb "127.0.0.1:$port" \
	>"$work/protocol.guest" 2>"$work/protocol.err" </dev/null &
pid=$!
if timeout 120 python3 "$root/tests/gdb/rsp_client.py" "$port" >"$work/protocol.out" 2>&1 &&
	wait $pid && grep -q 'killed by the debugger' "$work/protocol.err"; then
	echo "PASS gdb/protocol ($(grep -c '^ok' "$work/protocol.out") checks)"
else
	kill $pid 2>/dev/null
	echo "FAIL gdb/protocol"
	tail -n 5 "$work/protocol.out" "$work/protocol.err" | sed 's/^/  | /'
fi

# Linux: vmlinux and init from `make linux-image` (built on first use, cached)
if img=$(cd "$root" && make -s --no-print-directory linux-image 2>"$work/linux-build.err"); then
	case_ linux linux -- -m 128M -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf \
		-kernel "$img/Image" -initrd "$img/initramfs.cpio.gz" -append "console=ttyS0 quiet" \
		--sym "$img/vmlinux@s" --sym "$img/init@u"
else
	echo "FAIL gdb/linux: make linux-image failed"
	tail -n 5 "$work/linux-build.err" | sed 's/^/  | /'
fi

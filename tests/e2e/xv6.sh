#!/bin/bash
# e2e/xv6 — xv6-riscv (../shared/ext, built and cached by scripts/xv6/build.sh) on strata:
# boots with QEMU's own command line for it (-machine virt -bios none -kernel ... -global
# virtio-mmio.force-legacy=false -drive if=none,id=x0 -device virtio-blk-device,drive=x0,...)
# on 1 hart and answers `ls`; its kernel and user programs (all linked at 0) are named in an
# ftrace+etrace trace (a syscall by its kernel function, sh's functions in U mode) and in GDB
# (a breakpoint in sh, backtrace with sh.c lines). usertests is tests/e2e/xv6_usertests.sh.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
driver=$root/tests/xv6/xv6_driver.py
tmo=${XV6_TIMEOUT:-300}

if ! x=$("$root/scripts/xv6/build.sh" -q 2>&1); then
	echo "FAIL xv6/build: $x"
	exit 1
fi
echo "PASS xv6/build: $x"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$x" || exit 1

# 1. QEMU's command line shape, 1 hart: boot and ls.
cp fs.img "$work/fs.img"
python3 "$driver" --name xv6/ls --boot-timeout "$tmo" --timeout "$tmo" --run "ls=usertests" -- \
	"$strata" run -machine virt -bios none -kernel kernel/kernel -m 128M -smp 1 -nographic \
	-global virtio-mmio.force-legacy=false \
	-drive file="$work/fs.img",if=none,format=raw,id=x0 \
	-device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 | grep -v '^TIME'

# 2. ftrace+etrace with the kernel's symbols (from -kernel) and sh's (--sym user/_sh@u).
cp fs.img "$work/fs.img"
python3 "$driver" --name xv6/trace --boot-timeout "$tmo" --timeout "$tmo" --run "echo xv6  trace=xv6 trace" -- \
	"$strata" run -bios none -kernel kernel/kernel -m 128M -drive file="$work/fs.img" \
	--trace=ftrace,etrace --trace-out "$work/t.trace" --sym user/_sh@u | grep -v '^TIME'
"$strata" dump "$work/t.trace" >"$work/t.txt" 2>"$work/t.err"
check_dump() { # name, awk condition on a line of the text view
	if awk "$2 {found=1} END {exit !found}" "$work/t.txt"; then
		echo "PASS xv6/trace: $1"
	else
		echo "FAIL xv6/trace: $1 not in the dump ($(wc -l <"$work/t.txt") lines; $(head -c 300 "$work/t.err"))"
	fi
}
check_dump "ecall from U mode traced (etrace)" '$3 == "U" && / trap ecall_u /'
check_dump "sys_exec called from syscall (kernel symbols, S mode)" '$3 == "S" && /sys_exec\(\) \{/'
check_dump "sys_write called (echo)" '$3 == "S" && /sys_write\(\) \{/'
check_dump "xv6 system calls decoded by name: exec" '$3 == "U" && /syscall exec\(path=0x[0-9a-f]+, argv=0x[0-9a-f]+\)/'
check_dump "xv6 system calls decoded by name: echo's write of 'trace'" '$3 == "U" && /syscall write\(fd=1, buf=0x[0-9a-f]+, n=5\)/'
# sh's own call structure, named from --sym user/_sh@u: getcmd calls gets, which calls read.
if awk '$3 != "U" {next} {n++} /getcmd\(\) \{/ {g=n} /gets\(\) \{/ && g && n-g < 12 {s=n}
	/read\(\) \{/ && s && n-s < 4 {found=1} END {exit !found}' "$work/t.txt"; then
	echo "PASS xv6/trace: sh's getcmd -> gets -> read in U mode (--sym user/_sh@u)"
else
	echo "FAIL xv6/trace: no U-mode getcmd -> gets -> read in the dump"
fi

# 3. GDB: every user program as --sym FILE@u; the stub lists the one mapped in the current
# address space, so a pending breakpoint in sh resolves when init execs sh.
if ! command -v gdb-multiarch >/dev/null; then
	echo "FAIL xv6/gdb: gdb-multiarch missing (scripts/install-deps)"
	exit 1
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp fs.img "$work/fs.img"
syms=()
for p in user/_*; do syms+=(--sym "$p@u"); done
timeout "$tmo" "$strata" run -bios none -kernel kernel/kernel -m 128M -drive file="$work/fs.img" \
	"${syms[@]}" --gdb "127.0.0.1:$port" -S </dev/null >"$work/run.out" 2>&1 &
spid=$!
for _ in $(seq 50); do
	grep -q "listening" "$work/run.out" && break
	sleep 0.2
done
timeout "$tmo" gdb-multiarch -nx -batch -ex 'set pagination off' -ex 'set breakpoint pending on' \
	-ex "target remote 127.0.0.1:$port" -ex 'break getcmd' -ex continue -ex 'bt 2' \
	-ex 'info sharedlibrary' -ex kill >"$work/gdb.out" 2>&1
wait $spid 2>/dev/null
if grep -q '^Breakpoint 1, getcmd (.*) at user/sh.c:[0-9]' "$work/gdb.out" &&
	grep -q '^#1  .* in main () at user/sh.c:[0-9]' "$work/gdb.out" &&
	grep -q 'user/_sh$' "$work/gdb.out"; then
	echo "PASS xv6/gdb: break getcmd stops in sh with sh.c frames"
else
	echo "FAIL xv6/gdb: no stop in sh's getcmd: $(grep -v '^warning' "$work/gdb.out" | tail -8 | tr '\n' '|')"
fi

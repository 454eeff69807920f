#!/bin/bash
# e2e/attach_x86 — `strata attach` against x86-64 Linux: the kernel and /init built by
# scripts/linux-x86/build.sh (Debian's linux-source-6.1, a small config with DWARF and KGDB;
# cached by source hash in ~/.cache/strata/linux-x86, built on first use), GDB given no file:
#   qemu:   qemu-system-x86_64 -kernel bzImage -initrd ... -gdb: a breakpoint in the kernel's
#           getppid handler shows the kernel's source lines and privilege S (CPL 0 from cs),
#           the system call's user pc is getppid+N in the program, a breakpoint in the
#           program's prog_round() shows prog.c and privilege U (CPL 3); monitor break-on priv
#           stops at the next entry to the kernel (S, at a system call or IDT entry point) and
#           then at the first user instruction after it (U, in the program)
#   kgdb:   the same kernel waiting in kgdb (kgdboc=ttyS1 kgdbwait) on QEMU's second serial
#           port, a pty: strata attach serial:/dev/pts/N; privilege S, the getppid
#           breakpoint with kernel source lines, the user pc in the program; detach
# Every process runs under timeout and is killed on exit.
# tests/run: not-sanitizer
# tests/run: timeout=3600
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
work=$(mktemp -d)
[ -n "${ATTACH_KEEP:-}" ] && work=$ATTACH_KEEP && mkdir -p "$work"
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [ -n "${ATTACH_KEEP:-}" ] || rm -rf "$work"' EXIT

for tool in qemu-system-x86_64 gdb-multiarch python3; do
	command -v $tool >/dev/null || { echo "FAIL attach_x86: $tool is not installed (scripts/install-deps)"; exit 1; }
done
suite=attach_x86
. "$root/tests/attach/lib.sh"

if ! img=$("$root/scripts/linux-x86/build.sh" -q 2>"$work/build.err"); then
	echo "FAIL attach_x86/image: scripts/linux-x86/build.sh failed:"
	tail -n 15 "$work/build.err" | sed 's/^/  | /'
	exit 1
fi
img=$(printf '%s\n' "$img" | tail -n 1)
echo "PASS attach_x86/image"
syms=(--sym "$img/vmlinux@s" --sym "$img/prog@u")
qemu_x86() { # qemu_x86 NAME APPEND ARGS...
	local name=$1 append=$2
	shift 2
	timeout -k 5 240 qemu-system-x86_64 -M pc -m 256M -display none -no-reboot \
		-kernel "$img/bzImage" -initrd "$img/initramfs.cpio.gz" \
		-append "console=ttyS0 nokaslr $append" "$@" </dev/null >"$work/$name.qemu" 2>&1 &
}

# --- qemu's gdbstub ---------------------------------------------------------------------------
qp=$(free_port)
gp=$(free_port)
qemu_x86 qemu "" -serial "file:$work/qemu.console" -gdb "tcp:127.0.0.1:$qp" -S
wait_listen "$qp" || echo "FAIL attach_x86/qemu: QEMU did not listen"
timeout -k 5 240 "$strata" attach "127.0.0.1:$qp" --gdb "$gp" "${syms[@]}" >"$work/qemu.strata" 2>&1 &
spid=$!
wait_listen "$gp" || echo "FAIL attach_x86/qemu: strata did not listen"
timeout -k 5 240 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
	-ex "target remote 127.0.0.1:$gp" -x "$root/tests/attach/x86.gdb" >"$work/qemu.out" 2>&1
wait $spid
echo "strata exit $?" >>"$work/qemu.out"
expect qemu/kernel "$work/qemu.out" kernel "^privilege: S \(cs: CPL\)" "at /.*linux-source-6.1/.*\.[ch]:[0-9]+" "sys_getppid"
expect qemu/user-line "$work/qemu.out" user-line "^getppid \+ [0-9]+ in section .text of .*/prog$"
expect qemu/user "$work/qemu.out" user "^privilege: U \(cs: CPL\)" "prog_round .* at .*prog.c:[0-9]+"
expect qemu/libs "$work/qemu.out" libs "^exec S .*vmlinux" "^on   U .*prog"
expect qemu/break-on-priv-enter "$work/qemu.out" priv-enter \
	"^strata: stopped: (syscall [0-9]+ \(U -> S, entry_SYSCALL_64\)|U -> S \(asm_[a-z_]+\))" \
	"^privilege: S \(cs: CPL\)" "^(entry_SYSCALL_64|asm_[a-z_]+) in section"
expect qemu/break-on-priv-return "$work/qemu.out" priv-return \
	"^strata: stopped: S -> U at 0x[0-9a-f]+ \((entry_SYSRETQ_unsafe_stack|swapgs_restore_regs_and_return_to_usermode), [0-9]+ steps\)" \
	"^privilege: U \(cs: CPL\)" "= 0x3$" " in section .text of .*/prog$"
expect qemu/break-on-priv-again "$work/qemu.out" priv-enter2 "^strata: stopped: .*U -> S" "^privilege: S"
expect qemu/end "$work/qemu.out" end "^strata exit 0$"

# --- kgdb over a serial line ------------------------------------------------------------------
qemu_x86 kgdb "kgdboc=ttyS1,115200 kgdbwait" -serial "file:$work/kgdb.console" -serial pty
qpid=$!
pty=
for _ in $(seq 100); do
	pty=$(grep -o '/dev/pts/[0-9]* (label serial1)' "$work/kgdb.qemu" 2>/dev/null | cut -d' ' -f1)
	[ -n "$pty" ] && break
	sleep 0.1
done
if [ -z "$pty" ]; then
	echo "FAIL attach_x86/kgdb: QEMU did not say which pty serial1 is:"
	sed 's/^/  | /' "$work/kgdb.qemu"
	exit 1
fi
# kgdbwait: the kernel stops early in its boot and waits for GDB on ttyS1
for _ in $(seq 600); do grep -q "Waiting for connection from remote gdb" "$work/kgdb.console" 2>/dev/null && break; sleep 0.2; done
gp=$(free_port)
timeout -k 5 240 "$strata" attach "serial:$pty,115200" --gdb "$gp" --timeout 20000 "${syms[@]}" \
	>"$work/kgdb.strata" 2>&1 &
spid=$!
wait_listen "$gp" || echo "FAIL attach_x86/kgdb: strata did not listen"
timeout -k 5 240 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
	-ex 'set remotetimeout 30' -ex "target remote 127.0.0.1:$gp" -x "$root/tests/attach/kgdb.gdb" \
	>"$work/kgdb.out" 2>&1
wait $spid
echo "strata exit $?" >>"$work/kgdb.out"
expect kgdb/wait "$work/kgdb.out" wait "^privilege: S" "kgdb"
expect kgdb/kernel "$work/kgdb.out" kernel "^privilege: S" "at /.*linux-source-6.1/.*\.[ch]:[0-9]+" "sys_getppid"
expect kgdb/user-line "$work/kgdb.out" user-line "^getppid \+ [0-9]+ in section .text of .*/prog$"
expect kgdb/end "$work/kgdb.out" end "^strata exit 0$"
kill $qpid 2>/dev/null

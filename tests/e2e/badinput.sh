#!/bin/bash
# e2e/badinput — bad input to `strata run` gives exit status 2, nothing on stdout, and exactly one
# line on stderr that names the offending file or option.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
if [ ! -x "$strata" ]; then
	echo "FAIL badinput: strata binary '$strata' not built"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Fixtures.
good=$tmp/good.elf
printf '.globl _start\n_start: j _start\n' >"$tmp/loop.S"
ld_flags="-nostdlib -nostartfiles -Wl,-N -Wl,--no-warn-rwx-segments"
# shellcheck disable=SC2086
riscv64-unknown-elf-gcc $ld_flags -Wl,-Ttext=0x80000000 -o "$good" "$tmp/loop.S"
# shellcheck disable=SC2086
riscv64-unknown-elf-gcc $ld_flags -Wl,-Ttext=0x10000000 -o "$tmp/at_uart.elf" "$tmp/loop.S"
good32=$tmp/good32.elf
# shellcheck disable=SC2086
riscv64-unknown-elf-gcc -march=rv32gc -mabi=ilp32d $ld_flags -Wl,-Ttext=0x80000000 -o "$good32" "$tmp/loop.S"
head -c 40 "$good" >"$tmp/truncated.elf"
cp "$good" "$tmp/badphoff.elf"
# e_phoff (offset 32, 8 bytes) pointing far past the end of the file.
printf '\xff\xff\xff\x7f\x00\x00\x00\x00' | dd of="$tmp/badphoff.elf" bs=1 seek=32 conv=notrunc status=none
cp /bin/true "$tmp/x86_64.elf"
truncate -s 129M "$tmp/huge.bin" # larger than the default 128 MiB of RAM
mkdir "$tmp/adir"
printf 'not a device tree' >"$tmp/garbage.dtb"

# check NAME WORD ARGS...: strata run ARGS must fail with status 2 and one stderr line with WORD.
check() {
	local name=$1 word=$2
	shift 2
	timeout 20 "$strata" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local status=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ "$status" -ne 2 ]; then
		echo "FAIL badinput/$name: exit status $status, want 2 (stderr: $(head -c 300 "$tmp/err"))"
	elif [ "$lines" -ne 1 ]; then
		echo "FAIL badinput/$name: $lines stderr lines, want 1:"
		head -n 5 "$tmp/err" | sed 's/^/  /'
	elif ! grep -qF -- "$word" "$tmp/err"; then
		echo "FAIL badinput/$name: stderr does not mention '$word': $(cat "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		echo "FAIL badinput/$name: unexpected stdout: $(head -c 200 "$tmp/out")"
	else
		echo "PASS badinput/$name"
	fi
}

# Control: the good fixture is accepted and runs until --max-insns stops it (status 124).
timeout 20 "$strata" run -bios none -kernel "$good" --max-insns 1000 >/dev/null 2>&1 </dev/null
status=$?
if [ $status -eq 124 ]; then
	echo "PASS badinput/control_good_elf_runs"
else
	echo "FAIL badinput/control_good_elf_runs: status $status, want 124 (--max-insns stop)"
fi

check missing_kernel /nonexistent/k.elf run -bios none -kernel /nonexistent/k.elf
check directory_kernel "$tmp/adir" run -bios none -kernel "$tmp/adir"
check truncated_elf "$tmp/truncated.elf" run -bios none -kernel "$tmp/truncated.elf"
check corrupt_phoff "$tmp/badphoff.elf" run -bios none -kernel "$tmp/badphoff.elf"
check x86_64_elf "$tmp/x86_64.elf" run -bios none -kernel "$tmp/x86_64.elf"
check larger_than_ram "$tmp/huge.bin" run -bios none -kernel "$tmp/huge.bin"
check overlaps_device "$tmp/at_uart.elf" run -bios none -kernel "$tmp/at_uart.elf"
check m_zero -m run -m 0 -bios none -kernel "$good"
check m_abc -m run -m abc -bios none -kernel "$good"
check m_100T -m run -m 100T -bios none -kernel "$good"
check m_missing_value -m run -bios none -kernel "$good" -m
# one rule, one message for -m and -smp (machine_check_ram/harts), whoever checks first
check m_4M "-m 4M: RAM must be a multiple of 4 KiB from 16 MiB to 64 GiB" run -m 4M -bios none -kernel "$good"
check m_100T_rule "-m 100T: RAM must be a multiple of 4 KiB from 16 MiB to 64 GiB" run -m 100T -bios none -kernel "$good"
check smp_9 "-smp 9: the number of harts must be 1 to 8" run -smp 9 -bios none -kernel "$good"
check smp_0 "-smp 0: the number of harts must be 1 to 8" run -smp 0 -bios none -kernel "$good"
check unknown_option --frobnicate run --frobnicate -bios none -kernel "$good"
check max_insns_abc --max-insns run --max-insns abc -bios none -kernel "$good"
check max_insns_negative --max-insns run --max-insns -5 -bios none -kernel "$good"
check bios_missing /nonexistent/fw.bin run -bios /nonexistent/fw.bin -kernel "$good"
# QEMU's xv6 command line options (src/cli/run_qemu.c)
truncate -s 64K "$tmp/disk.img"
check global_force_legacy_true force-legacy run -bios none -kernel "$good" -global virtio-mmio.force-legacy=true
check global_unknown -global run -bios none -kernel "$good" -global foo.bar=1
check device_not_blk virtio-net-device run -bios none -kernel "$good" -device virtio-net-device
check device_unknown_drive x9 run -bios none -kernel "$good" -drive "file=$tmp/disk.img,id=x0" -device virtio-blk-device,drive=x9
check device_bad_bus virtio-mmio-bus.8 run -bios none -kernel "$good" -drive "file=$tmp/disk.img,id=x0" -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.8
check machine_not_virt sifive_u run -M sifive_u -bios none -kernel "$good"
check bios_no_value -bios run -bios
check initrd_missing /nonexistent/initrd run -bios none -kernel "$good" -initrd /nonexistent/initrd
check dtb_garbage "$tmp/garbage.dtb" run -bios none -kernel "$good" -dtb "$tmp/garbage.dtb"
check unknown_command frobnicate frobnicate
check cpu_model rv128 run -cpu rv128 -bios none -kernel "$good"
# the ELF class must be the harts' XLEN, both ways (issue 19)
check elf64_on_rv32 "64-bit ELF, but the harts are RV32" run -cpu rv32 -bios none -kernel "$good"
check elf32_on_rv64 "32-bit ELF, but the harts are RV64" run -bios none -kernel "$good32"
check elf32_on_rv64_bios "32-bit ELF, but the harts are RV64" run -bios "$good32"
check rv32e_fp "no floating point" run -cpu rv32e,f=on -bios none -kernel "$good32"
check rv32_svnapot "RV64 only" run -cpu rv32,svnapot=on -bios none -kernel "$good32"
check cpu_unknown_ext "accepted: i m a f d c" run -cpu rv64,zfoo=on -bios none -kernel "$good"
check cpu_bad_value zba=maybe run -cpu rv64,zba=maybe -bios none -kernel "$good"
check cpu_dependency "d needs f" run -cpu rv64,f=off -bios none -kernel "$good"
# every ISA row is implemented now (H was the last): the RV64-only ones on RV32 are the refusals left
check cpu_rv32_h "hypervisor extension is RV64 only" run -cpu rv32,h=on -bios none -kernel "$good32"
check gdb_port_zero --gdb run --gdb 0 -bios none -kernel "$good"
check gdb_port_text --gdb run --gdb abc -bios none -kernel "$good"
check gdb_port_range --gdb run --gdb 127.0.0.1:70000 -bios none -kernel "$good"
check gdb_bad_host --gdb run --gdb 999.1.1.1:1234 -bios none -kernel "$good"
check gdb_no_value --gdb run -bios none -kernel "$good" --gdb
# a port someone else listens on
busy=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $busy)); s.listen(); time.sleep(60)" &
holder=$!
# wait until it listens (a loaded machine may take longer than any fixed sleep)
for _ in $(seq 50); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $busy), 1)" 2>/dev/null && break
	sleep 0.1
done
check gdb_port_in_use --gdb run --gdb "127.0.0.1:$busy" -bios none -kernel "$good"
kill $holder 2>/dev/null
exit 0

#!/bin/bash
# e2e/linux — Linux 6.1 boots on strata to tests/linux/init.c, which checks fork/exec/wait, pipes,
# signals, FP, timers, SMP, threads and the virtio disk, then powers off through SBI SRST.
#   boot:   fw_jump and fw_dynamic, 1 and 4 harts: the init's final line, every init check ok,
#           "init: cpus: N", exit status 0
#   disk:   the file the guest wrote is on the image afterwards (debugfs), and e2fsck finds it clean
#   readonly: -drive ...,readonly=on: the guest's writes are refused and the image is unchanged
#   deterministic: a second run prints byte-identical console output (1 and 4 harts)
#   sstc:   the default CPU has Sstc: the kernel's boot log says it programs the timer through it,
#           and /proc/cpuinfo's isa line (printed by the init) lists it
#   ext:    with Zicbom, Zicboz, Svpbmt, Svinval, Svnapot on (4 harts) the kernel lists them and
#           everything still works (its ioremap PTEs carry PBMT bits, its DMA maintenance cbo.*)
# The image comes from `make linux-image` (built on first use; see docs/LINUX.md).
# LINUX_EMU=qemu runs the same cases on qemu-system-riscv64 (harness check; QEMU is not
# deterministic, so that check is skipped there). LINUX_TIMEOUT: seconds per run (default 120; a
# healthy run takes seconds).
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
emu=${LINUX_EMU:-strata}
tmo=${LINUX_TIMEOUT:-120}
sbi=/usr/lib/riscv64-linux-gnu/opensbi/generic
work=$(mktemp -d)
kernel_trouble='Oops|BUG:|WARNING:|Kernel panic|rcu: INFO|soft lockup|hung_task|Unable to handle'
trap 'rm -rf "$work"' EXIT

fail_detail() { # under a FAIL line: the init's last lines, the kernel's first complaint, the end
	local txt=$work/$1.txt
	tr -d '\r' <"$work/$1.out" >"$txt"
	echo "  | exit status $(cat "$work/$1.rc"); last init lines:"
	grep -E '^(init|strata-init|Run /init)' "$txt" | tail -n 4 | sed 's/^/  | /'
	if grep -Eq "$kernel_trouble" "$txt"; then
		echo "  | first kernel complaint:"
		grep -E -m 1 -A 5 "$kernel_trouble" "$txt" | sed 's/^/  | /'
	fi
	echo "  | last console lines:"
	tail -n 6 "$txt" | sed 's/^/  | /'
	if [ -s "$work/$1.err" ]; then
		echo "  | stderr:"
		tail -n 12 "$work/$1.err" | sed 's/^/  | /'
	fi
}

if ! img=$(cd "$root" && make -s --no-print-directory linux-image 2>"$work/build.err"); then
	echo "FAIL linux/image: make linux-image failed:"
	tail -n 15 "$work/build.err" | sed 's/^/  | /'
	exit 1
fi
img=$(printf '%s\n' "$img" | tail -n 1)
for f in Image vmlinux initramfs.cpio.gz disk.img guest.txt; do
	if [ ! -s "$img/$f" ]; then
		echo "FAIL linux/image: $img/$f missing after make linux-image"
		exit 1
	fi
done
echo "PASS linux/image"
for tool in debugfs e2fsck; do
	if ! command -v "$tool" >/dev/null && [ ! -x "/sbin/$tool" ]; then
		echo "FAIL linux/tools: $tool missing (package e2fsprogs)"
		exit 1
	fi
done
export PATH=$PATH:/sbin:/usr/sbin
if [ "$emu" = strata ] && [ ! -x "$strata" ]; then
	echo "FAIL linux/strata: strata binary '$strata' not built"
	exit 1
fi

cpu_props= # ",EXT=on..." for run's -cpu
# run NAME BIOS SMP DISK RO APPEND: boot once; console in NAME.out, errors in NAME.err, status NAME.rc
run() {
	local name=$1 bios=$2 smp=$3 disk=$4 ro=$5 append=$6 drive
	if [ "$emu" = qemu ]; then
		drive=file=$disk,format=raw,if=none,id=hd0${ro:+,readonly=on}
		set -- qemu-system-riscv64 -M virt -nographic -m 128M -smp "$smp" -bios "$sbi/$bios.elf" \
			-drive "$drive" -device virtio-blk-device,drive=hd0 -cpu "rv64$cpu_props"
	else
		drive=file=$disk,format=raw${ro:+,readonly=on}
		set -- "$strata" run -m 128M -smp "$smp" -bios "$sbi/$bios.elf" -drive "$drive" \
			-cpu "rv64$cpu_props"
	fi
	timeout -k 5 "$tmo" "$@" -kernel "$img/Image" -initrd "$img/initramfs.cpio.gz" -append "$append" \
		</dev/null >"$work/$name.out" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
}

# check_boot NAME SMP [EXTRA_LINE]: the run reached the init's final line and powered off cleanly.
check_boot() {
	local name=$1 smp=$2 extra=${3:-} rc why=""
	rc=$(cat "$work/$name.rc")
	tr -d '\r' <"$work/$name.out" >"$work/$name.txt"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		why="timed out after ${tmo}s"
	elif ! grep -qx "strata-init: all checks passed" "$work/$name.txt"; then
		if grep -q "^init: .*FAIL" "$work/$name.txt"; then
			why="init check failed: $(grep "^init: .*FAIL" "$work/$name.txt" | head -n 3 | tr '\n' ';')"
		else
			why="no 'strata-init: all checks passed' line"
		fi
	elif ! grep -qx "init: cpus: $smp" "$work/$name.txt"; then
		why="want 'init: cpus: $smp', got '$(grep '^init: cpus:' "$work/$name.txt")'"
	elif [ -n "$extra" ] && ! grep -qx "$extra" "$work/$name.txt"; then
		why="no '$extra' line"
	elif [ "$rc" != 0 ]; then
		why="exit status $rc after the final line, want 0 (SBI SRST shutdown)"
	elif grep -Eq "$kernel_trouble" "$work/$name.txt"; then
		why="the kernel complained: $(grep -E "$kernel_trouble" "$work/$name.txt" | head -n 2 | tr '\n' ';')"
	fi
	if [ -n "$why" ]; then
		echo "FAIL linux/$name/boot: $why"
		fail_detail "$name"
		return 1
	fi
	echo "PASS linux/$name/boot"
}

# check_disk NAME DISK: the guest's /guest.txt is on the image and the file system is clean.
check_disk() {
	local name=$1 disk=$2 out
	if ! debugfs -R "cat /guest.txt" "$disk" >"$work/$name.guest" 2>"$work/$name.debugfs"; then
		echo "FAIL linux/$name/disk: debugfs failed: $(tail -n 1 "$work/$name.debugfs")"
	elif [ ! -s "$img/guest.txt" ] || ! cmp -s "$work/$name.guest" "$img/guest.txt"; then
		echo "FAIL linux/$name/disk: /guest.txt on the image differs from $img/guest.txt" \
			"($(wc -c <"$work/$name.guest") bytes, want $(wc -c <"$img/guest.txt"))"
	elif ! out=$(e2fsck -fn "$disk" 2>&1); then
		echo "FAIL linux/$name/disk: e2fsck -fn reports problems:"
		printf '%s\n' "$out" | tail -n 8 | sed 's/^/  | /'
	else
		echo "PASS linux/$name/disk"
	fi
}

for bios in fw_jump fw_dynamic; do
	for smp in 1 4; do
		name=$bios-smp$smp
		cp "$img/disk.img" "$work/$name.img"
		run "$name" "$bios" "$smp" "$work/$name.img" "" "console=ttyS0"
		check_boot "$name" "$smp" "init: disk write/read: ok"
		check_disk "$name" "$work/$name.img"
	done
done

# readonly=on: the kernel sees a read-only disk, the init's readonly mode checks that writes fail.
cp "$img/disk.img" "$work/ro.img"
run readonly fw_dynamic 1 "$work/ro.img" 1 "console=ttyS0 strata.test=readonly"
if check_boot readonly 1 "init: disk readonly: ok" >"$work/readonly.check"; then
	if cmp -s "$work/ro.img" "$img/disk.img"; then
		echo "PASS linux/readonly"
	else
		echo "FAIL linux/readonly: the read-only image changed during the run"
	fi
else
	sed '1s|^FAIL linux/readonly/boot|FAIL linux/readonly|' "$work/readonly.check"
fi

# Sstc, on in the default CPU: Linux takes the timer over from SBI, and lists the extension.
# (riscv,isa has h on QEMU, which strata does not implement yet.)
txt=$work/fw_jump-smp1.txt
if grep -q "strata-init: all checks passed" "$txt" 2>/dev/null; then
	line="riscv-timer: Timer interrupt in S-mode is available via sstc extension"
	if grep -qx "$line" "$txt"; then
		echo "PASS linux/sstc/boot_log"
	else
		echo "FAIL linux/sstc/boot_log: no '$line' line"
	fi
	if grep -Eqx 'init: isa: rv64imafdch?_sstc_zihintpause' "$txt"; then
		echo "PASS linux/sstc/cpuinfo"
	else
		echo "FAIL linux/sstc/cpuinfo: want 'init: isa: rv64imafdc_sstc_zihintpause', got" \
			"'$(grep '^init: isa:' "$txt")'"
	fi
else
	echo "FAIL linux/sstc: the default boot did not complete (see linux/fw_jump-smp1/boot)"
fi

# The privileged extensions QEMU 7.2 leaves off, on (Debian's QEMU has no Zicbo*).
if [ "$emu" = qemu ]; then
	cpu_props=,svpbmt=on,svinval=on,svnapot=on want=svinval_svpbmt_zihintpause
else
	cpu_props=,zicbom=on,zicboz=on,svpbmt=on,svinval=on,svnapot=on
	want=svinval_svpbmt_zicbom_zihintpause
fi
cp "$img/disk.img" "$work/ext.img"
run ext fw_dynamic 4 "$work/ext.img" "" "console=ttyS0"
if check_boot ext 4 "init: disk write/read: ok"; then
	check_disk ext "$work/ext.img"
	if grep -Eqx "init: isa: rv64imafdch?_sstc_$want" "$work/ext.txt"; then
		echo "PASS linux/ext/cpuinfo"
	else
		echo "FAIL linux/ext/cpuinfo: want 'init: isa: rv64imafdc_sstc_$want', got" \
			"'$(grep '^init: isa:' "$work/ext.txt")'"
	fi
fi
cpu_props=

# Determinism: the same inputs give byte-identical console output.
for smp in 1 4; do
	name=fw_jump-smp$smp
	if [ "$emu" = qemu ]; then
		echo "SKIP linux/deterministic-smp$smp: QEMU is not deterministic"
		continue
	fi
	if ! grep -q "strata-init: all checks passed" "$work/$name.out"; then
		echo "FAIL linux/deterministic-smp$smp: the first run did not complete (see linux/$name/boot)"
		continue
	fi
	cp "$img/disk.img" "$work/again.img"
	run "$name-again" fw_jump "$smp" "$work/again.img" "" "console=ttyS0"
	if cmp -s "$work/$name.out" "$work/$name-again.out"; then
		echo "PASS linux/deterministic-smp$smp"
	else
		echo "FAIL linux/deterministic-smp$smp: console output differs between two runs:"
		diff <(tr -d '\r' <"$work/$name.out") <(tr -d '\r' <"$work/$name-again.out") | head -n 10 | sed 's/^/  | /'
	fi
done
exit 0

#!/bin/bash
# e2e/boot — Debian firmware boots to the U-Boot prompt on strata: OpenSBI (fw_jump, fw_dynamic,
# and strata's default -bios) + S-mode U-Boot, and M-mode U-Boot as -bios (raw and ELF). The
# console is driven through stdin/stdout by boot_driver.py: stop autoboot, run `version`, check
# "U-Boot 2023.01", `poweroff`. BOOT_EMU=qemu runs the same cases on QEMU (harness check);
# BOOTS="fw_jump mmode_elf" limits the cases.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
emu=${BOOT_EMU:-strata}
step_timeout=${BOOT_TIMEOUT:-120}
sbi=/usr/lib/riscv64-linux-gnu/opensbi/generic
ub_s=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
ub_m=/usr/lib/u-boot/qemu-riscv64
driver=$root/tests/e2e/boot_driver.py

case_args() {
	case $1 in
	fw_jump) echo "-bios $sbi/fw_jump.elf -kernel $ub_s" ;;
	fw_dynamic) echo "-bios $sbi/fw_dynamic.elf -kernel $ub_s" ;;
	default_bios) echo "-kernel $ub_s" ;;
	mmode_bin) echo "-bios $ub_m/u-boot.bin" ;;
	mmode_elf) echo "-bios $ub_m/uboot.elf" ;;
	esac
}

cases=${BOOTS:-fw_jump fw_dynamic default_bios mmode_bin mmode_elf}
for f in $sbi/fw_jump.elf $sbi/fw_dynamic.elf $ub_s $ub_m/u-boot.bin $ub_m/uboot.elf; do
	if [ ! -f "$f" ]; then
		echo "FAIL boot: $f missing (scripts/install-deps installs opensbi and u-boot-qemu)"
		exit 1
	fi
done
if [ "$emu" = strata ] && [ ! -x "$strata" ]; then
	echo "FAIL boot: strata binary '$strata' not built"
	exit 1
fi
for c in $cases; do
	# shellcheck disable=SC2046
	if [ "$emu" = qemu ]; then
		[ "$c" = default_bios ] && continue # QEMU's default firmware is not Debian's fw_dynamic
		set -- qemu-system-riscv64 -M virt -cpu rv64,h=false -nographic $(case_args "$c")
	else
		set -- "$strata" run $(case_args "$c")
	fi
	python3 "$driver" --name "boot/$c" --timeout "$step_timeout" \
		--cmd version --expect "version=U-Boot 2023.01" -- "$@"
done
exit 0

#!/bin/bash
# e2e/xvisor — the Xvisor hypervisor (../shared/ext/xvisor, built and cached by
# scripts/xvisor/build.sh) on strata with Debian's OpenSBI, as its docs/riscv/riscv64-qemu.txt
# runs it on QEMU: it boots to the XVisor# prompt, a guest (Xvisor's basic firmware, in VS mode
# under two-stage translation) is kicked, and the guest answers "hi" with "hello" at its basic#
# prompt. On 1 hart with one guest, and on 2 harts with two guests (two VMIDs), talking to the
# second. About 15 s, so it runs in both builds.
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
driver=$root/tests/xvisor/console_driver.py
tmo=${XVISOR_TIMEOUT:-300}

if ! x=$("$root/scripts/xvisor/build.sh" -q 2>&1); then
	echo "FAIL xvisor/build: $x"
	exit 1
fi
echo "PASS xvisor/build: $x"
boot='vmm.bootcmd="vfs mount initrd /;vfs run /boot.xscript;vfs cat /system/banner.txt"'

python3 "$driver" --name xvisor/1hart --timeout "$tmo" \
	--step '=>brought-up 1 CPUs' --step '=>XVisor#' \
	--step 'guest kick guest0=>guest0: Kicked' \
	--step 'vserial bind guest0/uart0=>RISC-V Virt64 Basic Firmware' --step '=>basic#' \
	--step 'hi=>hello' --step '=>basic#' \
	-- "$strata" run -m 512M -kernel "$x/vmm.bin" -initrd "$x/disk.img" -append "$boot"

python3 "$driver" --name xvisor/2harts --timeout "$tmo" \
	--step '=>brought-up 2 CPUs' --step '=>guest1: Created' --step '=>XVisor#' \
	--step 'guest kick guest0=>guest0: Kicked' \
	--step 'guest kick guest1=>guest1: Kicked' \
	--step 'vserial bind guest1/uart0=>RISC-V Virt64 Basic Firmware' --step '=>basic#' \
	--step 'hi=>hello' --step '=>basic#' \
	-- "$strata" run -smp 2 -m 1G -kernel "$x/vmm.bin" -initrd "$x/disk2.img" -append "$boot"

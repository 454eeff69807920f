#!/bin/bash
# e2e/kvm — KVM, a second hypervisor on strata's H extension (issue 15 item 2; docs/HYPERVISOR.md
# "KVM"): the KVM variant of the project's Linux image (scripts/linux/build.sh --variant kvm)
# boots, KVM initialises, and its /init runs the project's VMM (tests/kvm/vmm.c, two vCPUs) on
# the project's bare-metal guest (tests/kvm/guest.c) in VS mode, which pages with a table of its
# own (two-stage translation), takes SBI timer interrupts, starts its second hart (SBI HSM),
# sends it an IPI and a remote sfence.vma, prints through KVM's SBI exit and an MMIO UART exit,
# and shuts down; then Linux powers off.
#   bare:    the guest alone under OpenSBI (S mode, 2 harts) on strata: every check passes (the
#            reference its KVM output is compared with)
#   1hart, 2harts: the kernel's "kvm [1]: hypervisor extension available", the VMM's banner,
#            every guest check (the same lines as bare), SBI implementation KVM, the exit counts
#            the guest causes (60 MMIO exits: 30 UART bytes, each a status read and a write), the
#            guest's SRST shutdown, the init's final line, power-off (status 0), no kernel
#            complaint; on 2 harts the VMM runs pinned to each hart, then unpinned
#   1hart/badinput: the VMM given a missing file, a non-ELF, an ELF outside guest RAM, -c 9,
#            -m 1x: one "kvm-vmm: ..." line each and exit status 2 (checked by the init)
#   trace:   recorded from KVM's first KVM_RUN at HS and VS (--trace-priv=hs,vs) with
#            --sym vmlinux@hs --sym guest.elf@vs: the report names KVM's functions and the guest's,
#            and lists the guest's exits (SBI hypercalls, MMIO guest page faults)
#   qemu:    the same kernel and initramfs on qemu-system-riscv64 (KVM inside TCG), 2 harts: the
#            same guest lines as strata's 2-hart run
# KVM_TIMEOUT: seconds per run (default 300).
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
tmo=${KVM_TIMEOUT:-300}
sbi=/usr/lib/riscv64-linux-gnu/opensbi/generic
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kernel_trouble='Oops|BUG:|WARNING:|Kernel panic|rcu: INFO|soft lockup|hung_task|Unable to handle'

pass() { echo "PASS kvm/$1"; }
fail() { echo "FAIL kvm/$1: $2"; }
# has NAME FILE ERE: a line of FILE matches
has() {
	if grep -qE -- "$3" "$2"; then pass "$1"; else fail "$1" "no line matching '$3' in $(basename "$2")"; fi
}
# guest_lines FILE: the guest's lines without what differs between S and VS mode (its boot
# argument, the SBI implementation) or between runs (ticks)
guest_lines() {
	tr -d '\r' <"$1" | grep '^guest: ' | sed -e 's/, boot argument .*//' -e 's/, implementation .*//' \
		-e 's/ in [0-9]* ticks$//'
}

if ! img=$("$root/scripts/linux/build.sh" -q --variant kvm 2>"$work/build.err"); then
	fail image "scripts/linux/build.sh --variant kvm failed: $(tail -n 3 "$work/build.err" | tr '\n' ' ')"
	exit 1
fi
for f in Image vmlinux initramfs.cpio.gz guest.elf; do
	if [ ! -s "$img/$f" ]; then
		fail image "$img/$f missing"
		exit 1
	fi
done
grep -qx 'CONFIG_KVM=y' "$img/config" && pass image || fail image "CONFIG_KVM=y not in $img/config"

# ---- the guest bare, under OpenSBI in S mode ----
timeout -k 5 60 "$strata" run -m 128M -smp 2 -bios "$sbi/fw_jump.elf" -kernel "$img/guest.elf" \
	</dev/null >"$work/bare.out" 2>"$work/bare.err"
echo $? >"$work/bare.rc"
guest_lines "$work/bare.out" >"$work/bare.guest"
if [ "$(cat "$work/bare.rc")" = 0 ] && grep -qx 'guest: 13 checks passed, 0 failed' "$work/bare.guest"; then
	pass bare
else
	fail bare "status $(cat "$work/bare.rc"), last lines: $(tail -n 3 "$work/bare.out" | tr '\r\n' '  ')"
fi

# run NAME SMP [strata options...]: boot the KVM image on strata; NAME.out, NAME.err, NAME.rc
run() {
	local name=$1 smp=$2
	shift 2
	timeout -k 5 "$tmo" "$strata" run -m 256M -smp "$smp" -bios "$sbi/fw_dynamic.elf" \
		-kernel "$img/Image" -initrd "$img/initramfs.cpio.gz" -append "console=ttyS0" "$@" \
		</dev/null >"$work/$name.out" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
	tr -d '\r' <"$work/$name.out" >"$work/$name.txt"
}

# check_boot NAME SMP: everything the header lists for 1hart/2harts
check_boot() {
	local name=$1 smp=$2 rc why="" runs
	runs=$((smp > 1 ? smp + 1 : 1)) # init.c: one VM per hart, then one unpinned
	local txt=$work/$name.txt
	rc=$(cat "$work/$name.rc")
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		why="timed out after ${tmo}s"
	elif ! grep -q 'kvm \[1\]: hypervisor extension available' "$txt"; then
		why="no 'kvm [1]: hypervisor extension available': $(grep -m 2 'kvm \[' "$txt" | tr '\n' ';')"
	elif ! grep -qx "kvm-init: cpus: $smp" "$txt"; then
		why="want 'kvm-init: cpus: $smp', got '$(grep '^kvm-init: cpus' "$txt")'"
	elif [ "$(grep -c '^kvm-vmm: KVM API 12, 2 vCPUs, isa ' "$txt")" != "$runs" ]; then
		why="want $runs VMM banner lines, got $(grep -c '^kvm-vmm: KVM API' "$txt")"
	elif [ "$(grep -cx 'kvm-vmm: guest system event 1 (shutdown) on vCPU 0, reason 0' "$txt")" != "$runs" ]; then
		why="want $runs guest shutdowns: $(grep -E '^kvm-(vmm|init)' "$txt" | tail -n 3 | tr '\n' ';')"
	elif ! grep -qx 'kvm-init: all runs passed' "$txt"; then
		why="no 'kvm-init: all runs passed': $(grep '^kvm-init: FAIL' "$txt" | head -n 2 | tr '\n' ';')"
	elif [ "$rc" != 0 ]; then
		why="exit status $rc after the final line, want 0 (SBI SRST power-off)"
	elif grep -Eq "$kernel_trouble" "$txt"; then
		why="the kernel complained: $(grep -E "$kernel_trouble" "$txt" | head -n 2 | tr '\n' ';')"
	fi
	if [ -n "$why" ]; then
		fail "$name/boot" "$why"
		echo "  | last console lines:"
		tail -n 8 "$txt" | sed 's/^/  | /'
		[ -s "$work/$name.err" ] && tail -n 5 "$work/$name.err" | sed 's/^/  | stderr: /'
		return 1
	fi
	pass "$name/boot"
	# every run of the guest printed what it prints bare
	guest_lines "$txt" >"$work/$name.guest"
	local want got
	want=$(for _ in $(seq "$runs"); do cat "$work/bare.guest"; done)
	got=$(cat "$work/$name.guest")
	if [ "$want" = "$got" ]; then
		pass "$name/guest_as_bare"
	else
		fail "$name/guest_as_bare" "guest lines differ from the bare run: $(diff <(echo "$want") <(echo "$got") | head -n 4 | tr '\n' ';')"
	fi
	[ "$(grep -c '^guest: SBI [0-9.]*, implementation 3 (KVM)$' "$txt")" = "$runs" ] &&
		pass "$name/sbi_kvm" || fail "$name/sbi_kvm" "want $runs 'implementation 3 (KVM)' lines"
	# the UART line is 30 bytes: a status read and a data write each
	[ "$(grep -cE '^kvm-vmm: exits to user space: [0-9]+ SBI, 60 MMIO, [0-9]+ other$' "$txt")" = "$runs" ] &&
		pass "$name/exits" || fail "$name/exits" "$(grep '^kvm-vmm: exits' "$txt" | tr '\n' ';')"
	grep -qx 'guest: hello through the UART' "$txt" && pass "$name/mmio_uart" ||
		fail "$name/mmio_uart" "no 'guest: hello through the UART' line"
}

run 1hart 1
check_boot 1hart 1
bad_lines=("kvm-vmm: /no-such.elf: cannot open: No such file or directory"
	"kvm-vmm: /proc/version: not an ELF file \\(too short\\)"
	"kvm-vmm: /init: segment [0-9]+ \\(0x[0-9a-f]+, [0-9]+ bytes\\) is outside guest RAM 0x80000000-0x80800000"
	"kvm-vmm: -c '9': want 1 to 4 vCPUs"
	"kvm-vmm: -m '1x': want guest RAM in MiB, 2 to 1024")
why=
[ "$(grep -c '^kvm-init: ok bad input [0-9] ' "$work/1hart.txt")" = 5 ] || why="want 5 'kvm-init: ok bad input' lines: $(grep 'bad input' "$work/1hart.txt" | tr '\n' ';')"
for l in "${bad_lines[@]}"; do
	[ -n "$why" ] || grep -qEx -- "$l" "$work/1hart.txt" || why="no line '$l'"
done
[ -z "$why" ] && pass 1hart/badinput || fail 1hart/badinput "$why"
run 2harts 2
check_boot 2harts 2

# ---- trace: KVM's functions (HS) and the guest's (VS) by name, the guest's exits decoded ----
run trace 1 --trace=ftrace,etrace --trace-priv=hs,vs --trace-start=kvm_arch_vcpu_ioctl_run \
	--sym "$img/vmlinux@hs" --sym "$img/guest.elf@vs" --trace-out "$work/kvm.trace"
if ! grep -qx 'kvm-init: all runs passed' "$work/trace.txt" || [ "$(cat "$work/trace.rc")" != 0 ]; then
	fail trace/run "status $(cat "$work/trace.rc"): $(tail -n 3 "$work/trace.txt" | tr '\n' ';') $(tail -n 2 "$work/trace.err" | tr '\n' ';')"
else
	pass trace/run
	timeout 120 "$strata" report "$work/kvm.trace" --top 3000 >"$work/kvm.report" 2>"$work/report.err" ||
		fail trace/report "strata report: exit $?: $(head -n 2 "$work/report.err" | tr '\n' ';')"
	r=$work/kvm.report
	fn=' +[0-9]+ +[0-9]+ +[0-9]+  '
	for f in kvm_arch_vcpu_ioctl_run kvm_riscv_vcpu_exit kvm_riscv_gstage_map __kvm_riscv_switch_to; do
		has "trace/hs_$f" "$r" "^$fn$f\$"
	done
	has trace/vs_section "$r" '^hart 0, VS mode: functions by self instructions$'
	for f in guest_main guest_trap check; do
		has "trace/vs_$f" "$r" "^$fn$f\$"
	done
	has trace/guest_timer_irq "$r" '^ +3  s_timer +VS -> VS$'
	has trace/guest_own_fault "$r" '^ +1  load_page_fault +VS -> VS$'
	has trace/exits "$r" '^guest exits by cause'
	has trace/exit_store_gpf "$r" '^ +[0-9]+  store_guest_page_fault +VS -> S$'
	has trace/exit_mmio_load "$r" '^ +[0-9]+  load_guest_page_fault +VS -> S$'
	has trace/exit_wfi "$r" '^ +[0-9]+  virtual_insn +VS -> S$'
	has trace/hypercalls "$r" '^hypercalls \(SBI calls from a guest'"'"'s VS'
	has trace/hypercall_putchar "$r" '^ +[0-9]+  legacy_console_putchar sbi_console_putchar$'
	has trace/hypercall_timer "$r" '^ +6  TIME +sbi_set_timer$'
	has trace/hypercall_srst "$r" '^ +1  SRST +sbi_system_reset$'
	# the second vCPU on the same hart: started through HSM, woken by an IPI that KVM injects
	# through hvip, its TLB entry dropped by the guest's remote sfence.vma
	has trace/hypercall_hsm "$r" '^ +1  HSM +sbi_hart_start$'
	has trace/hypercall_ipi "$r" '^ +1  IPI +sbi_send_ipi$'
	has trace/hypercall_rfence "$r" '^ +1  RFENCE +sbi_remote_sfence_vma$'
	has trace/guest_soft_irq "$r" '^ +1  s_soft +VS -> VS$'
	has trace/hvip "$r" 'hvip \(injected interrupts\) writes on hart 0'
	has trace/hfence_vvma "$r" "^$fn"'kvm_riscv_local_hfence_vvma_gva$'
fi

# ---- qemu: the same kernel and initramfs on QEMU 7.2 (KVM inside TCG), the reference ----
if ! command -v qemu-system-riscv64 >/dev/null; then
	fail qemu "qemu-system-riscv64 missing (package qemu-system-misc)"
else
	timeout -k 5 "$tmo" qemu-system-riscv64 -M virt -nographic -m 256M -smp 2 -bios "$sbi/fw_dynamic.elf" \
		-kernel "$img/Image" -initrd "$img/initramfs.cpio.gz" -append "console=ttyS0" \
		</dev/null >"$work/qemu.out" 2>"$work/qemu.err"
	echo $? >"$work/qemu.rc"
	tr -d '\r' <"$work/qemu.out" >"$work/qemu.txt"
	guest_lines "$work/qemu.txt" >"$work/qemu.guest"
	if [ "$(cat "$work/qemu.rc")" = 0 ] && grep -qx 'kvm-init: all runs passed' "$work/qemu.txt" &&
		cmp -s "$work/qemu.guest" "$work/2harts.guest"; then
		pass qemu/same_guest_output
	else
		fail qemu/same_guest_output "status $(cat "$work/qemu.rc"), guest lines vs strata's: $(diff "$work/2harts.guest" "$work/qemu.guest" | head -n 4 | tr '\n' ';') last: $(tail -n 2 "$work/qemu.txt" | tr '\n' ';')"
	fi
fi

#!/bin/bash
# e2e/htrace — tracing and debugging a hypervisor and its guest (issue 15 items 3, 4;
# docs/HYPERVISOR.md "Tracing and debugging"):
#   1. the bare-metal H guests (tests/guests/src/hyp.c, hypvm.c) traced with ftrace+etrace: VS
#      and VU stacks in the report, guest exits decoded (guest page faults with their guest
#      physical address, virtual instructions, hypercalls), hvip injections as marks, guest
#      tracks in the Chrome, Perfetto and folded outputs, --trace-priv=vs,vu
#   2. Xvisor (scripts/xvisor/build.sh) with its basic guest: the report names the hypervisor's
#      functions (vmm.elf @hs) and the guest's (firmware.elf @vs) and lists the guest exits
#   3. one GDB session on Xvisor: stopped at a guest entry (break-on vmentry, priv 5), in the
#      guest's basic_main and in the hypervisor's cpu_vcpu_page_fault (priv 1), at a guest exit
#      (break-on vmexit), and the guest's memory read by guest physical address (monitor gpa)
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
g=$root/tests/guests/build
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT

pass() { echo "PASS htrace/$1"; }
fail() { echo "FAIL htrace/$1: $2"; }
# has NAME FILE ERE: a line of FILE matches
has() {
	if grep -qE -- "$3" "$2"; then pass "$1"; else fail "$1" "no line matching '$3' in $(basename "$2")"; fi
}

# ---- 1. bare-metal H guests ----
for n in hyp hypvm; do
	if [ ! -f "$g/$n.elf" ]; then
		fail "$n/build" "$g/$n.elf missing (make guests)"
		continue
	fi
	if ! timeout 120 "$strata" run -bios none -kernel "$g/$n.elf" --trace=ftrace,etrace \
		--trace-out "$tmp/$n.trace" </dev/null >"$tmp/$n.out" 2>&1; then
		fail "$n/run" "$(tail -n 2 "$tmp/$n.out" | tr '\n' ' ')"
		continue
	fi
	timeout 60 "$strata" report "$tmp/$n.trace" >"$tmp/$n.report" 2>&1 || fail "$n/report" "exit $?"
	timeout 60 "$strata" dump "$tmp/$n.trace" >"$tmp/$n.dump" 2>&1 || fail "$n/dump" "exit $?"
	has "$n/vs_functions" "$tmp/$n.report" '^hart 0, VS mode: functions by self instructions$'
	has "$n/guest_exits" "$tmp/$n.report" '^guest exits by cause'
	has "$n/hypercalls" "$tmp/$n.report" '^ +[0-9]+  ecall_vs +VS -> (S|M)$'
done
# hyp: virtual-instruction traps from VS and VU, a VU syscall handled by the guest kernel (VS),
# the hypervisor's hvip writes injecting VS interrupts
has hyp/virtual_insn "$tmp/hyp.report" '^ +[0-9]+  virtual_insn +VS -> M$'
has hyp/vu_to_vs "$tmp/hyp.report" '^ +[0-9]+  ecall_u +VU -> VS$'
has hyp/vu_functions "$tmp/hyp.report" '^hart 0, VU mode: functions'
has hyp/hvip_marks "$tmp/hyp.dump" 'mark hvip=0x4 \+vs_soft$'
has hyp/hvip_counted "$tmp/hyp.report" 'hvip \(injected interrupts\) writes on hart 0'
# hypvm: guest page faults of all three kinds, each with the guest physical address
# (htval/mtval2 << 2) next to the guest virtual one
for c in load store insn; do
	has "hypvm/${c}_guest_page_fault" "$tmp/hypvm.report" "^ +[0-9]+  ${c}_guest_page_fault +VS -> (S|M)$"
done
has hypvm/gpa "$tmp/hypvm.dump" 'trap load_guest_page_fault epc=0x[0-9a-f]+ tval=0x[0-9a-f]+ gpa=0x[0-9a-f]+ -> (S|M)$'
has hypvm/gpa_to_hs "$tmp/hypvm.report" '^ +[0-9]+  load_guest_page_fault +VS -> S$'

# guest tracks in every output format
if [ -s "$tmp/hyp.trace" ]; then
	"$strata" dump "$tmp/hyp.trace" --format=chrome -o "$tmp/hyp.json" 2>/dev/null
	has chrome/vs_track "$tmp/hyp.json" '"name":"hart0 VS vmid=0"'
	has chrome/vu_track "$tmp/hyp.json" '"name":"hart0 VU vmid=0 satp=0x[0-9a-f]+"'
	has chrome/hs_track "$tmp/hyp.json" '"name":"hart0 S"'
	"$strata" dump "$tmp/hyp.trace" --format=perfetto -o "$tmp/hyp.pftrace" 2>/dev/null
	strings "$tmp/hyp.pftrace" >"$tmp/hyp.strings"
	has perfetto/vs_track "$tmp/hyp.strings" '^hart0 VS vmid=0$'
	has perfetto/vu_track "$tmp/hyp.strings" '^hart0 VU vmid=0 satp='
	"$strata" dump "$tmp/hyp.trace" --format=folded >"$tmp/hyp.folded" 2>/dev/null
	has folded/vs_stacks "$tmp/hyp.folded" '^hart0;VS vmid=0;'
fi
# --trace-priv=vs,vu keeps the guest's events (and the boundary's trap frames), nothing else
if timeout 120 "$strata" run -bios none -kernel "$g/hyp.elf" --trace=ftrace,etrace --trace-priv=vs,vu \
	--trace-out "$tmp/vs.trace" </dev/null >/dev/null 2>&1; then
	"$strata" dump "$tmp/vs.trace" >"$tmp/vs.dump" 2>&1
	other=$(awk 'NR > 1 && !/^#/ && $3 != "VS" && $3 != "VU" && !/trap:|irq:|^ *[0-9]+ +[0-9]+ +[A-Z]+ +}/' "$tmp/vs.dump")
	if [ -z "$other" ] && grep -q ' VS ' "$tmp/vs.dump" && grep -q ' VU ' "$tmp/vs.dump"; then
		pass trace_priv/vs_vu_only
	else
		fail trace_priv/vs_vu_only "events outside VS/VU: $(echo "$other" | head -n 2 | tr '\n' ' ')"
	fi
else
	fail trace_priv/run "strata run --trace-priv=vs,vu failed"
fi

# ---- 2. Xvisor and its guest ----
if ! x=$("$root/scripts/xvisor/build.sh" -q 2>&1); then
	fail xvisor/build "$x"
	exit 1
fi
boot='vmm.bootcmd="vfs mount initrd /;vfs run /boot.xscript;vfs cat /system/banner.txt"'
python3 "$root/tests/xvisor/console_driver.py" --name htrace/xvisor --timeout 300 \
	--step '=>XVisor#' --step 'guest kick guest0=>guest0: Kicked' \
	--step 'vserial bind guest0/uart0=>RISC-V Virt64 Basic Firmware' --step '=>basic#' \
	--step 'hi=>hello' --step '=>basic#' \
	-- "$strata" run -m 512M -kernel "$x/vmm.bin" -initrd "$x/disk.img" -append "$boot" \
	--trace=ftrace,etrace --trace-out "$tmp/xv.trace" --sym "$x/vmm.elf@hs" --sym "$x/firmware.elf@vs"
# the driver kills strata at the end: the trace reads up to its last chunk
timeout 120 "$strata" report "$tmp/xv.trace" --top 100 >"$tmp/xv.report" 2>"$tmp/xv.err"
has xvisor/hypervisor_functions "$tmp/xv.report" '^ +[0-9]+ +[0-9]+ +[0-9]+  cpu_vcpu_page_fault$'
has xvisor/guest_functions "$tmp/xv.report" '^ +[0-9]+ +[0-9]+ +[0-9]+  uart8250_putc$'
has xvisor/guest_main "$tmp/xv.report" '^ +[0-9]+ +[0-9]+ +[0-9]+  basic_main$'
has xvisor/vs_section "$tmp/xv.report" '^hart 0, VS mode: functions by self instructions$'
has xvisor/guest_page_faults "$tmp/xv.report" '^ +[0-9]+  load_guest_page_fault +VS -> S$'
has xvisor/hypercalls "$tmp/xv.report" '^hypercalls \(SBI calls from a guest'"'"'s VS'
has xvisor/hypercall_timer "$tmp/xv.report" 'sbi_set_timer'
timeout 120 "$strata" dump "$tmp/xv.trace" --format=folded >"$tmp/xv.folded" 2>/dev/null
has xvisor/folded_guest "$tmp/xv.folded" '^hart0;VS vmid=[0-9]+;_fw_start;basic_main;'
has xvisor/folded_hyp "$tmp/xv.folded" '^hart0;S;.*;cpu_vcpu_page_fault'

# ---- 3. GDB on Xvisor: guest and hypervisor in one session ----
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
kick='vmm.bootcmd="vfs mount initrd /;vfs run /boot.xscript;guest kick guest0"'
"$strata" run -m 512M -kernel "$x/vmm.bin" -initrd "$x/disk.img" -append "$kick" \
	--sym "$x/vmm.elf@hs" --sym "$x/firmware.elf@vs" --gdb "127.0.0.1:$port" -S \
	>"$tmp/gdb.guest" 2>"$tmp/gdb.err" </dev/null &
spid=$!
for _ in $(seq 50); do grep -q listening "$tmp/gdb.err" && break; sleep 0.1; done
timeout 300 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
	-ex 'set width 0' -ex "target remote 127.0.0.1:$port" -x "$root/tests/gdb/htrace.gdb" \
	>"$tmp/gdb.out" 2>&1
gs=$?
wait "$spid"
spid=
[ $gs -eq 0 ] && pass gdb/session || fail gdb/session "gdb exit $gs: $(tail -n 3 "$tmp/gdb.out" | tr '\n' ' ')"
has gdb/vmentry "$tmp/gdb.out" 'stopped: vmentry by sret: S -> VS$'
has gdb/vmentry_priv "$tmp/gdb.out" '^entry priv 5$'
has gdb/guest_library "$tmp/gdb.out" 'firmware\.elf$'
has gdb/guest_break "$tmp/gdb.out" '^Breakpoint 1, basic_main \(\)'
has gdb/guest_priv "$tmp/gdb.out" '^guest priv 5$'
has gdb/hyp_break "$tmp/gdb.out" '^Breakpoint 2, cpu_vcpu_page_fault \('
has gdb/hyp_bt "$tmp/gdb.out" '^#1 .* in do_handle_trap \(.*cause=2[013]\)'
has gdb/hyp_priv "$tmp/gdb.out" '^hypervisor priv 1$'
has gdb/vmexit "$tmp/gdb.out" 'stopped: vmexit by exception 2[013]: VS -> S$'
# the guest's first instruction at guest physical 0x80000000, as firmware.elf has it
off=$(riscv64-linux-gnu-readelf -lW "$x/firmware.elf" | awk '$1 == "LOAD" { print $2; exit }')
want=$(od -An -tx4 -N8 -j $((off)) "$x/firmware.elf" | awk '{ print "0x" $1 "\t0x" $2 }')
has gdb/gpa_read "$tmp/gdb.out" "^0x80000000:	$want\$"

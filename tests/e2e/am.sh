#!/bin/bash
# e2e/am — abstract-machine programs (NJU PA / 一生一芯) from ../shared/ext, built by
# scripts/am/build (cached by source hash), on -machine nemu and on AM's spike platform:
#   cpu-tests   on riscv64-nemu, riscv32-nemu and riscv32e-nemu (-cpu rv64, rv32, rv32e): every
#               test passes ("HIT GOOD TRAP", exit 0) but `wrong`, which must fail
#               ("HIT BAD TRAP", exit 1); alu-tests likewise
#   am-tests    hello (serial), rtc (timer: one line per virtual second), readkey (console input
#               becomes keyboard events)
#   benchmarks  microbench `test`, coremark and dhrystone to their own checks; coremark's CRCs
#               equal tests/golden/am/coremark.crc
#   ftrace      recursion: `strata dump --format=nemu` has exactly the calls a model of the
#               program makes, per function, and the golden's first lines
#   gdb         a breakpoint, backtrace and the end of the run over the GDB stub
#   spike       AM's spike platform (HTIF tohost) with -bios none: six cpu-tests and `wrong`
#   bad input   one-line errors for the board's options
# tests/run: timeout=3600
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
golden=$root/tests/golden/am
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

pass() { echo "PASS am/$1"; }
fail() { echo "FAIL am/$1: $2"; }
# golden NAME FILE: FILE equals tests/golden/am/NAME (STRATA_UPDATE_GOLDEN=1 rewrites it)
golden() {
	if [ "${STRATA_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$2" "$golden/$1" && echo "UPDATED am/$1"
	elif cmp -s "$2" "$golden/$1"; then
		pass "$1"
	else
		fail "$1" "differs from tests/golden/am/$1"
		diff "$golden/$1" "$2" | head -n 20 | sed 's/^/  | /'
	fi
}

nemu=$("$root/scripts/am/build" riscv64-nemu 2>"$work/build.err")
if [ $? -ne 0 ] || [ ! -d "$nemu" ]; then
	fail build/riscv64-nemu "$(tail -n 3 "$work/build.err" | tr '\n' ' ')"
	exit 1
fi

# run NAME IMAGE [ARGS...]: run IMAGE on -machine nemu; output in $work/NAME.out, status in rc
run() {
	local name=$1 img=$2
	shift 2
	timeout 300 "$strata" run -machine nemu -kernel "$img" "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null
	rc=$?
}

# ---- cpu-tests and alu-tests, on riscv64-nemu, riscv32-nemu (-cpu rv32), riscv32e-nemu (rv32e) ----
# suite ARCH CPU DIR
suite() {
	local arch=$1 cpu=$2 dir=$3 t n=0 src
	for src in "$root"/../shared/ext/am-kernels/tests/cpu-tests/tests/*.c "$root"/../../shared/ext/am-kernels/tests/cpu-tests/tests/*.c; do
		[ -f "$src" ] || continue
		t=$(basename "$src" .c)
		[ -f "$dir/$t.bin" ] || { fail "$arch/cpu-tests/$t" "not built"; continue; }
		n=$((n + 1))
		run "$arch-$t" "$dir/$t.bin" -cpu "$cpu"
		if [ "$t" = wrong ]; then
			if [ $rc -eq 1 ] && grep -q '^nemu: HIT BAD TRAP at pc = 0x' "$work/$arch-$t.out"; then
				pass "$arch/cpu-tests/wrong-fails"
			else
				fail "$arch/cpu-tests/wrong-fails" "exit $rc, $(tail -n 1 "$work/$arch-$t.out")"
			fi
		elif [ $rc -eq 0 ] && grep -q '^nemu: HIT GOOD TRAP at pc = 0x' "$work/$arch-$t.out"; then
			pass "$arch/cpu-tests/$t"
		else
			fail "$arch/cpu-tests/$t" "exit $rc, $(tail -n 1 "$work/$arch-$t.out") $(head -n 1 "$work/$arch-$t.err")"
		fi
	done
	[ $n -ge 30 ] || fail "$arch/cpu-tests/count" "only $n cpu-tests found"
	run "$arch-alutest" "$dir/alutest.bin" -cpu "$cpu"
	if [ $rc -eq 0 ] && grep -q 'HIT GOOD TRAP' "$work/$arch-alutest.out"; then
		pass "$arch/alu-tests"
	else
		fail "$arch/alu-tests" "exit $rc, $(tail -n 1 "$work/$arch-alutest.out")"
	fi
	run "$arch-hello" "$dir/amtest-h.bin" -cpu "$cpu"
	n=$(grep -c "^Hello, AM World @ ${arch%-nemu}\$" "$work/$arch-hello.out")
	if [ $rc -eq 0 ] && [ "$n" -eq 10 ]; then pass "$arch/am-tests/hello"; else fail "$arch/am-tests/hello" "exit $rc, $n lines"; fi
}
suite riscv64-nemu rv64 "$nemu"
# NEMU's FMT_WORD: 16 hex digits on riscv64, 8 on riscv32
grep -qx 'nemu: HIT GOOD TRAP at pc = 0x[0-9a-f]\{16\}' "$work/riscv64-nemu-add.out" && pass riscv64-nemu/trap-line ||
	fail riscv64-nemu/trap-line "$(tail -n 1 "$work/riscv64-nemu-add.out")"
for a in riscv32-nemu:rv32 riscv32e-nemu:rv32e; do
	dir=$("$root/scripts/am/build" "${a%:*}" 2>"$work/build.err")
	if [ $? -ne 0 ] || [ ! -d "$dir" ]; then
		fail "build/${a%:*}" "$(tail -n 3 "$work/build.err" | tr '\n' ' ')"
		continue
	fi
	suite "${a%:*}" "${a#*:}" "$dir"
	grep -qx 'nemu: HIT GOOD TRAP at pc = 0x[0-9a-f]\{8\}' "$work/${a%:*}-add.out" && pass "${a%:*}/trap-line" ||
		fail "${a%:*}/trap-line" "$(tail -n 1 "$work/${a%:*}-add.out")"
done
# the other ISA's image: one line, exit 2
run wrongxlen "$nemu/add.elf" -cpu rv32
if [ $rc -eq 2 ] && grep -q '64-bit ELF, but the harts are RV32' "$work/wrongxlen.err"; then
	pass badinput/elf-class
else
	fail badinput/elf-class "exit $rc: $(head -n 1 "$work/wrongxlen.err")"
fi

# ---- am-tests ----
# the RTC follows the virtual clock (100 M instructions a second): 250 M instructions = 2 lines
run rtc "$nemu/amtest-t.bin" --max-insns 250M
if [ $rc -eq 124 ] && [ "$(grep -c 'GMT (' "$work/rtc.out")" -eq 2 ] &&
	grep -q '^1900-0-0 00:00:00 GMT (2 seconds)\.$' "$work/rtc.out"; then
	pass am-tests/rtc
else
	fail am-tests/rtc "exit $rc: $(tr '\n' '|' <"$work/rtc.out")"
fi
printf 'ok 1\n' | timeout 60 "$strata" run -machine nemu -kernel "$nemu/amtest-k.bin" --max-insns 5M \
	>"$work/kbd.out" 2>"$work/kbd.err"
golden readkey.out "$work/kbd.out"

# ---- benchmarks ----
run microbench "$nemu/microbench-test.bin"
if [ $rc -eq 0 ] && grep -q '^MicroBench PASS' "$work/microbench.out" &&
	[ "$(grep -c 'Passed\.' "$work/microbench.out")" -eq 10 ]; then
	pass microbench-test
else
	fail microbench-test "exit $rc, $(grep -v Passed "$work/microbench.out" | head -n 3 | tr '\n' '|')"
fi
run coremark "$nemu/coremark.bin"
if [ $rc -eq 0 ] && grep -q '^CoreMark PASS' "$work/coremark.out"; then pass coremark; else fail coremark "exit $rc"; fi
grep -E 'crc|CoreMark Size|Iterations/Sec|Errors' "$work/coremark.out" | grep -v 'Marks' >"$work/coremark.crc"
golden coremark.crc "$work/coremark.crc"
run dhrystone "$nemu/dhrystone.bin"
if [ $rc -eq 0 ] && grep -q '^Dhrystone PASS' "$work/dhrystone.out"; then pass dhrystone; else fail dhrystone "exit $rc"; fi

# ---- ftrace on a recursive test ----
run rec "$nemu/recursion.elf" --trace=ftrace --trace-out "$work/rec.trace"
"$strata" dump --format=nemu "$work/rec.trace" >"$work/rec.nemu" 2>"$work/rec.dump.err"
# the program's own recursion, as a model: f0 -> f3(n/3), f1 -> f0(n-1), f2 -> f1(n),
# f3 -> f2(n/2) twice; main calls f0(14371)
python3 - "$work/rec.nemu" >"$work/rec.check" <<'PY'
import collections, re, sys
want = collections.Counter()
def f(k, n):
    want['f%d' % k] += 1
    if n <= 0:
        return
    if k == 0: f(3, n // 3)
    elif k == 1: f(0, n - 1)
    elif k == 2: f(1, n)
    else: f(2, n // 2); f(2, n // 2)
f(0, 14371)
got = collections.Counter()
depth = {}
for line in open(sys.argv[1]):
    m = re.match(r'0x[0-9a-f]{8}: ( *)(call|tail) \[(f[0-3])@0x[0-9a-f]{8}\]$', line)
    if m:
        got[m.group(3)] += 1
rets = sum(1 for l in open(sys.argv[1]) if re.match(r'0x[0-9a-f]{8}: +ret  \[', l))
print('ok' if got == want and sum(want.values()) == 218 and rets > 0 else
      'want %s got %s rets %d' % (dict(want), dict(got), rets))
PY
if [ $rc -eq 0 ] && [ "$(cat "$work/rec.check")" = ok ]; then
	pass ftrace/recursion-counts
else
	fail ftrace/recursion-counts "exit $rc, $(cat "$work/rec.check") $(head -n 2 "$work/rec.dump.err")"
fi
head -n 12 "$work/rec.nemu" >"$work/rec.head"
golden ftrace-recursion.head "$work/rec.head"

# ---- tracers on the board: dtrace sees each serial byte, by register name; the trace says nemu ----
run alltr "$nemu/amtest-h.elf" --trace=ftrace,etrace,dtrace --trace-out "$work/all.trace"
"$strata" dump "$work/all.trace" >"$work/all.txt" 2>&1
"$strata" info "$work/all.trace" >"$work/all.info" 2>&1
stores=$(grep -c 'mmio store serial\.CH 0xa00003f8 \[1\]' "$work/all.txt")
# the trap line is the board's, not the guest's: the serial bytes are the output before it
want=$(($(wc -c <"$work/alltr.out") - $(tail -n 1 "$work/alltr.out" | wc -c)))
if [ $rc -eq 0 ] && [ "$stores" -eq "$want" ] && [ "$want" -eq 260 ] &&
	grep -q '^  machine=nemu$' "$work/all.info" && grep -q ' putch() {$' "$work/all.txt"; then
	pass tracers/dtrace-serial
else
	fail tracers/dtrace-serial "exit $rc, $stores serial stores for $want bytes; $(grep machine= "$work/all.info")"
fi

# ---- the GDB stub ----
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$strata" run -machine nemu -kernel "$nemu/recursion.elf" --gdb "127.0.0.1:$port" -S \
	>"$work/gdb.guest" 2>"$work/gdb.err" </dev/null &
spid=$!
for _ in $(seq 50); do grep -q listening "$work/gdb.err" && break; sleep 0.1; done
timeout 120 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
	-ex "file $nemu/recursion.elf" -ex "target remote 127.0.0.1:$port" \
	-ex 'break f1' -ex 'continue' -ex 'bt 3' -ex 'print $a0' -ex 'delete' -ex 'continue' \
	>"$work/gdb.raw" 2>&1
wait $spid
ss=$?
grep -E '^(Breakpoint 1|#[0-9]|\$1|\[Inferior)' "$work/gdb.raw" | sed 's/ at [^ ]*recursion\.c:/ at recursion.c:/' >"$work/gdb.out"
echo "strata exit $ss" >>"$work/gdb.out"
golden gdb.out "$work/gdb.out"

# ---- AM's spike platform: HTIF, -bios none ----
spike=$("$root/scripts/am/build" spike 2>"$work/spike.err")
if [ $? -ne 0 ] || [ ! -d "$spike" ]; then
	fail build/spike "$(tail -n 3 "$work/spike.err" | tr '\n' ' ')"
else
	for t in add fib quick-sort string hello-str recursion; do
		timeout 60 "$strata" run -bios none -kernel "$spike/$t.elf" >"$work/s-$t.out" 2>&1 </dev/null
		rc=$?
		if [ $rc -eq 0 ] && grep -q '^Exit with code = 0$' "$work/s-$t.out"; then
			pass "spike/$t"
		else
			fail "spike/$t" "exit $rc, $(tail -n 1 "$work/s-$t.out")"
		fi
	done
	timeout 60 "$strata" run -bios none -kernel "$spike/wrong.elf" >"$work/s-wrong.out" 2>&1 </dev/null
	rc=$?
	# AM's spike halt() prints the code, then powers off through HTIF with status 0
	if [ $rc -eq 0 ] && grep -q '^Exit with code = 1$' "$work/s-wrong.out"; then
		pass spike/wrong-fails
	else
		fail spike/wrong-fails "exit $rc"
	fi
fi

# ---- bad input ----
bad() {
	local name=$1 want=$2
	shift 2
	"$strata" run "$@" >"$work/bad.out" 2>"$work/bad.err" </dev/null
	local rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$work/bad.err")" -eq 1 ] && grep -qF -- "$want" "$work/bad.err"; then
		pass "badinput/$name"
	else
		fail "badinput/$name" "exit $rc: $(head -n 2 "$work/bad.err" | tr '\n' '|')"
	fi
}
bad machine "strata has the boards virt (QEMU's) and nemu" -machine sun4m -kernel "$nemu/add.bin"
bad smp "-machine nemu has one hart" -machine nemu -smp 2 -kernel "$nemu/add.bin"
bad fb-out-virt "only -machine nemu has a frame buffer" --fb-out "$work/x.ppm" -bios none -kernel "$nemu/add.elf"
bad drive "has no device tree, initrd or drives" -machine nemu -kernel "$nemu/add.bin" -drive "file=$nemu/add.bin,format=raw"
bad no-image "nothing to run" -machine nemu
truncate -s 17M "$work/big.bin"
bad image-too-big "big.bin" -machine nemu -m 16M -kernel "$work/big.bin"

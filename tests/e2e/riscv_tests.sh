#!/bin/bash
# riscv-tests (ISA conformance): every rv64 and rv32 -p- and -v- test that Debian's cross
# compiler (gcc 12, binutils 2.40) can build, run on strata with every extension strata implements
# switched on (rv32 ones with -cpu rv32,...); pass = the test writes 1 to HTIF tohost (exit status
# 0). One PASS/FAIL line per test. (The tree has no rv32e suites: tests/e2e/rv32e.sh covers RV32E.)
#
# The tests are built from a copy of ../shared/ext/riscv-tests with the recipe of its README and
# cached under ~/.cache/strata/riscv-tests/<hash of the sources, recipe and compiler> (a cold
# build takes ~5 minutes on 2 cores; later runs only run the tests). What is not built, and why,
# is in docs/TESTING.md ("riscv-tests").
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
STRATA=${STRATA:-${BUILD:-build}/strata}
# ../shared/ext beside the checkout (or beside the directory of worktrees holding it)
src=${RISCV_TESTS_SRC:-}
for d in "$root/../shared/ext/riscv-tests" "$root/../../shared/ext/riscv-tests"; do
	[ -n "$src" ] || [ ! -d "$d" ] || src=$d
done
src=${src:-$root/../shared/ext/riscv-tests}
cache_root=${STRATA_CACHE:-$HOME/.cache/strata}/riscv-tests
prefix=riscv64-unknown-elf-
gcc_opts="-static -mcmodel=medany -fvisibility=hidden -nostdlib -nostartfiles -I/usr/lib/picolibc/riscv64-unknown-elf/include"

if [ ! -d "$src/isa" ] || [ ! -d "$src/env" ]; then
	echo "FAIL riscv-tests/setup: $src/isa or $src/env missing (see ../shared/ext/README.md)"
	exit 1
fi
if ! command -v ${prefix}gcc >/dev/null; then
	echo "FAIL riscv-tests/setup: ${prefix}gcc not found (scripts/install-deps)"
	exit 1
fi

# the cache of XLEN $1 (the rv64 key is the one from before rv32 existed)
cache_dir() {
	local hash
	hash=$( (
		cd "$src" && find isa env -type f -print0 | sort -z | xargs -0 sha256sum
		echo "$gcc_opts"
		${prefix}gcc --version | head -1
		${prefix}as --version | head -1
		[ "$1" = 64 ] || echo "XLEN=$1"
	) | sha256sum | cut -c1-16)
	echo "$cache_root/$hash"
}

# build the XLEN $xlen tests into $cache (atomically: a half-built cache is never used)
build() {
	local work
	work=$(mktemp -d "${TMPDIR:-/tmp}/riscv-tests.XXXXXX") || return 1
	cp -r "$src/isa" "$src/env" "$work/" && chmod -R u+w "$work" || return 1
	# the tree holds git symlinks as text files ("../p/link.ld"): make them links again
	find "$work/env" -type f -size -100c | while read -r f; do
		t=$(cat "$f")
		if [ -e "$(dirname "$f")/$t" ]; then
			rm "$f" && ln -s "$t" "$f"
		fi
	done
	make -C "$work/isa" -k -j"${JOBS:-2}" XLEN=$xlen RISCV_PREFIX=$prefix RISCV_GCC_OPTS="$gcc_opts" \
		>"$work/build.log" 2>&1
	mkdir -p "$work/out"
	find "$work/isa" -maxdepth 1 -type f -regex ".*/rv${xlen}[a-z]+-[pv]-[^.]*" -exec cp {} "$work/out/" \;
	# suites the compiler refuses (make leaves them out of its test list without a word)
	make -C "$work/isa" -pn XLEN=$xlen RISCV_PREFIX=$prefix 2>/dev/null |
		sed -n 's/^COMPILER_SUPPORTS_\([a-z0-9-]*\) := [1-9].*/\1/p' | sort >"$work/out/not-built.txt"
	grep -E '^make: \*\*\* \[.*\] Error' "$work/build.log" >"$work/out/build-errors.txt"
	mkdir -p "$cache_root" && rm -rf "$cache.tmp" && mv "$work/out" "$cache.tmp" &&
		mv "$cache.tmp" "$cache"
	local rc=$?
	rm -rf "$work"
	return $rc
}

err=$(mktemp)
trap 'rm -f "$err"' EXIT
fail=0
# every extension strata implements, on (strata's table: `run -cpu help`); RV32 has no Svnapot
# or Svpbmt (Sv32 PTEs have no bits for them)
exts=$("$STRATA" run -cpu help | awk '$3 == "yes" && $2 == "off" { print $1 }')
for xlen in ${RISCV_TESTS_XLEN:-64 32}; do
cache=$(cache_dir $xlen)
if [ ! -d "$cache" ]; then
	echo "# riscv-tests: building rv$xlen into $cache (cached afterwards)"
	if ! build; then
		echo "FAIL riscv-tests/build: could not build into $cache"
		exit 1
	fi
fi
cpu=rv$xlen$(for x in $exts; do
	[ $xlen = 32 ] && case $x in svnapot | svpbmt) continue ;; esac
	printf ",%s=on" "$x"
done)
n=0
if [ -s "$cache/build-errors.txt" ]; then
	echo "FAIL riscv-tests/build: $(wc -l <"$cache/build-errors.txt") tests did not build: $(head -c 300 "$cache/build-errors.txt" | tr '\n' ' ')"
	fail=1
fi
# Known failures of extensions not implemented yet: NAME REASON per line (docs/TESTING.md).
xfail_list=$root/tests/e2e/riscv_tests.xfail
for t in "$cache"/rv$xlen*-[pv]-*; do
	name=$(basename "$t")
	n=$((n + 1))
	timeout 60 "$STRATA" run -cpu "$cpu" -bios none -kernel "$t" >/dev/null 2>"$err" </dev/null
	rc=$?
	xfail=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ /, ""); print }' "$xfail_list")
	if [ $rc -eq 0 ] && [ -n "$xfail" ]; then
		echo "FAIL riscv-tests/$name: passes now; remove it from tests/e2e/riscv_tests.xfail"
		fail=1
	elif [ $rc -eq 0 ]; then
		echo "PASS riscv-tests/$name"
	elif [ -n "$xfail" ]; then
		echo "XFAIL riscv-tests/$name: exit status $rc; $xfail"
	else
		why="exit status $rc"
		[ $rc -eq 124 ] && why="timed out after 60 s"
		code=$(sed -n 's/^strata: guest exit code \([0-9]*\)$/\1/p' "$err" | head -1)
		[ -n "$code" ] && why="$why (failing test case TESTNUM = $code)"
		echo "FAIL riscv-tests/$name: $why"
		fail=1
	fi
done
echo "# riscv-tests: $n tests run with -cpu $cpu; not built (compiler): $(tr '\n' ' ' <"$cache/not-built.txt")"
[ "$n" -gt 0 ] || { echo "FAIL riscv-tests/none: no rv$xlen test in $cache"; fail=1; }
done
exit $fail

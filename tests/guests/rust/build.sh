#!/bin/sh
# Build the Rust async guests (README.md) offline with Debian's rustc-web and rust-web-src:
# `core` and `compiler_builtins` for riscv64gc-unknown-none-elf from the installed sources
# (RUSTC_BOOTSTRAP=1), then each guest at opt-level 0-3, linked with riscv64-unknown-elf-ld.
# Everything is cached under ~/.cache/strata/rust/<key>/ (key: rustc version, these sources,
# this script), so the plain and the SANITIZE test runs build it once; build/ gets copies.
#
#   tests/guests/rust/build.sh [-q]      prints the cache directory
set -eu
here=$(cd "$(dirname "$0")" && pwd)
RUSTC=${RUSTC:-/usr/bin/rustc}
SRC=${RUST_SRC:-/usr/lib/rustlib/src/rust/library}
CROSS=${CROSS:-riscv64-unknown-elf-}
TARGET=riscv64gc-unknown-none-elf
quiet=0
[ "${1:-}" = -q ] && quiet=1
say() { [ $quiet = 1 ] || echo "rust-guests: $*" >&2; }

if ! [ -x "$RUSTC" ] || ! [ -f "$SRC/core/src/lib.rs" ]; then
	echo "rust-guests: need Debian's rustc-web and rust-web-src ($RUSTC, $SRC) - run scripts/install-deps" >&2
	exit 2
fi

ver=$("$RUSTC" -vV | tr '\n' ' ')
sys_key=$(printf '%s\n' "$ver" "$(sed -n '/^# sysroot/,/^# end sysroot/p' "$0")" | sha256sum | cut -c1-16)
guest_key=$( (printf '%s\n' "$sys_key"; cat "$0" "$here"/*.rs "$here"/*.S "$here"/*.c "$here"/*.ld) | sha256sum | cut -c1-16)
cache=${STRATA_CACHE:-$HOME/.cache/strata}/rust
sysroot=$cache/sysroot-$sys_key
out=$cache/guests-$guest_key

# sysroot: core + compiler_builtins for the target (opt-level 2, no debuginfo of their own)
if ! [ -f "$sysroot/done" ]; then
	say "building core and compiler_builtins for $TARGET (once; about a minute)"
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.sysroot.XXXXXX")
	common="--target $TARGET -C opt-level=2 -C debuginfo=0 -C panic=abort -Z force-unstable-if-unmarked --crate-type rlib"
	RUSTC_BOOTSTRAP=1 "$RUSTC" --edition 2024 $common --crate-name core \
		"$SRC/core/src/lib.rs" -o "$tmp/libcore.rlib"
	RUSTC_BOOTSTRAP=1 "$RUSTC" --edition 2024 $common --crate-name compiler_builtins \
		--cfg 'feature="compiler-builtins"' --extern core="$tmp/libcore.rlib" \
		"$SRC/compiler-builtins/compiler-builtins/src/lib.rs" -o "$tmp/libcompiler_builtins.rlib" 2>/dev/null
	touch "$tmp/done"
	rm -rf "$sysroot"
	mv "$tmp" "$sysroot"
fi
# end sysroot

if ! [ -f "$out/done" ]; then
	say "building the guests at opt-level 0-3"
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.guests.XXXXXX")
	arch="-march=rv64gc -mabi=lp64d -mcmodel=medany"
	"${CROSS}gcc" $arch -nostdlib -ffreestanding -fno-builtin -O2 -g -c -o "$tmp/rt.o" "$here/rt.c"
	"${CROSS}gcc" $arch -c -o "$tmp/start.o" "$here/start.S"
	"${CROSS}gcc" $arch -c -o "$tmp/kstart.o" "$here/kstart.S"
	for o in 0 1 2 3; do
		for g in exec kernel; do
			RUSTC_BOOTSTRAP=1 "$RUSTC" --edition 2024 --target $TARGET -C opt-level=$o \
				-C debuginfo=2 -C panic=abort -C relocation-model=static -C code-model=medium \
				-C codegen-units=1 --emit obj -L "$sysroot" -o "$tmp/$g-O$o.o" "$here/$g.rs"
		done
		"${CROSS}ld" -T "$here/link.ld" --no-warn-rwx-segments -static --gc-sections \
			-o "$tmp/exec-O$o.elf" "$tmp/start.o" "$tmp/rt.o" "$tmp/exec-O$o.o" \
			"$sysroot/libcompiler_builtins.rlib" "$sysroot/libcore.rlib"
		"${CROSS}ld" -T "$here/klink.ld" --no-warn-rwx-segments -static --gc-sections \
			-o "$tmp/kernel-O$o.elf" "$tmp/kstart.o" "$tmp/rt.o" "$tmp/kernel-O$o.o" \
			"$sysroot/libcompiler_builtins.rlib" "$sysroot/libcore.rlib"
	done
	# the async-heavy benchmark guest (bench/async)
	RUSTC_BOOTSTRAP=1 "$RUSTC" --edition 2024 --target $TARGET -C opt-level=2 -C debuginfo=2 \
		-C panic=abort -C relocation-model=static -C code-model=medium -C codegen-units=1 \
		--emit obj -L "$sysroot" -o "$tmp/spin-O2.o" "$here/spin.rs"
	"${CROSS}ld" -T "$here/link.ld" --no-warn-rwx-segments -static --gc-sections \
		-o "$tmp/spin-O2.elf" "$tmp/start.o" "$tmp/rt.o" "$tmp/spin-O2.o" \
		"$sysroot/libcompiler_builtins.rlib" "$sysroot/libcore.rlib"
	# the same executor for the host (x86-64, std): the discovery library's other architecture
	for o in 0 3; do
		"$RUSTC" --edition 2024 -C opt-level=$o -C debuginfo=2 -C codegen-units=1 \
			-o "$tmp/host-O$o" "$here/host.rs"
	done
	# an async-free ELF without DWARF, for the bad-input tests
	"${CROSS}strip" -o "$tmp/exec-stripped.elf" "$tmp/exec-O1.elf"
	rm -f "$tmp"/*.o
	touch "$tmp/done"
	rm -rf "$out"
	mv "$tmp" "$out"
fi
mkdir -p "$here/build"
for f in "$out"/*; do
	[ "$(basename "$f")" = done ] && continue
	cmp -s "$f" "$here/build/$(basename "$f")" 2>/dev/null || cp "$f" "$here/build/"
done
echo "$out"

#!/bin/sh
# Build the Rust async guests (README.md) offline with Debian's rustc-web and rust-web-src:
# `core` and `compiler_builtins` for riscv64gc-unknown-none-elf from the installed sources
# (RUSTC_BOOTSTRAP=1), then each guest at opt-level 0-3, linked with riscv64-unknown-elf-ld.
# exec and kernel are built a second time by Debian 12's own rustc 1.63 (exec163-O*, kernel163-O*:
# the GenFuture era of async naming, before 1.67); that rustc conflicts with rustc-web, so its
# packages are unpacked into the cache, not installed.
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

cache=${STRATA_CACHE:-$HOME/.cache/strata}/rust

# Debian 12's rustc 1.63 with its core sources, unpacked (apt-get download needs the package
# lists that scripts/install-deps fetched; one retry after an update)
old=$cache/rustc-1.63
OLD_RUSTC="env LD_LIBRARY_PATH=$old/root/usr/lib/x86_64-linux-gnu RUSTC_BOOTSTRAP=1 $old/root/usr/bin/rustc --sysroot $old/root/usr"
if ! [ -f "$old/done" ]; then
	say "fetching Debian's rustc 1.63 (GenFuture-era guests) into $old"
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.old.XXXXXX")
	pk="rustc=1.63.0+dfsg1-2 rust-src=1.63.0+dfsg1-2 libstd-rust-1.63=1.63.0+dfsg1-2"
	if ! (cd "$tmp" && apt-get download $pk >/dev/null 2>&1) &&
		! (apt-get update -qq >/dev/null 2>&1 && cd "$tmp" && apt-get download $pk >/dev/null 2>&1); then
		echo "rust-guests: cannot download Debian's rustc 1.63 ($pk): apt-get download failed" >&2
		exit 2
	fi
	for f in "$tmp"/*.deb; do dpkg-deb -x "$f" "$tmp/root"; done
	rm -f "$tmp"/*.deb
	touch "$tmp/done"
	rm -rf "$old"
	mv "$tmp" "$old"
fi
$OLD_RUSTC -V | grep -q '^rustc 1\.63\.' || { echo "rust-guests: $old: not rustc 1.63" >&2; exit 2; }

ver=$("$RUSTC" -vV | tr '\n' ' ')
sys_key=$(printf '%s\n' "$ver" "$(sed -n '/^# sysroot/,/^# end sysroot/p' "$0")" | sha256sum | cut -c1-16)
# the tree's path is part of the key: the ELFs' DWARF names their sources by absolute path (the
# viewer and GDB read them), so a checkout must not reuse guests built in another one
guest_key=$( (printf '%s\n' "$sys_key" "$here"; cat "$0" "$here"/*.rs "$here"/*.S "$here"/*.c "$here"/*.ld) | sha256sum | cut -c1-16)
sysroot=$cache/sysroot-$sys_key
sysroot163=$cache/sysroot-1.63
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

# the same for rustc 1.63 (edition 2021); compiler_builtins is not in its sources: an empty crate
# satisfies the compiler, the intrinsics come from the 1.96 one at link time (plain C symbols)
if ! [ -f "$sysroot163/done" ]; then
	say "building core for $TARGET with rustc 1.63 (once; about half a minute)"
	tmp=$(mktemp -d "$cache/.sysroot163.XXXXXX")
	common="--edition 2021 --target $TARGET -C opt-level=2 -C debuginfo=0 -C panic=abort -Z force-unstable-if-unmarked --crate-type rlib"
	$OLD_RUSTC $common --crate-name core "$old/root/usr/lib/rustlib/src/rust/library/core/src/lib.rs" \
		-o "$tmp/libcore.rlib"
	printf '#![feature(no_core, compiler_builtins)]\n#![compiler_builtins]\n#![no_std]\n' >"$tmp/cb.rs"
	$OLD_RUSTC $common --crate-name compiler_builtins -L "$tmp" "$tmp/cb.rs" \
		-o "$tmp/libcompiler_builtins.rlib"
	touch "$tmp/done"
	rm -rf "$sysroot163"
	mv "$tmp" "$sysroot163"
fi

if ! [ -f "$out/done" ]; then
	say "building the guests at opt-level 0-3"
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.guests.XXXXXX")
	arch="-march=rv64gc -mabi=lp64d -mcmodel=medany"
	"${CROSS}gcc" $arch -nostdlib -ffreestanding -fno-builtin -O2 -g -c -o "$tmp/rt.o" "$here/rt.c"
	"${CROSS}gcc" $arch -c -o "$tmp/start.o" "$here/start.S"
	"${CROSS}gcc" $arch -c -o "$tmp/kstart.o" "$here/kstart.S"
	# link_elf NAME LDSCRIPT START CORE: $tmp/NAME.o into $tmp/NAME.elf (intrinsics from 1.96's
	# compiler_builtins for both compilers: plain C symbols)
	link_elf() {
		"${CROSS}ld" -T "$here/$2" --no-warn-rwx-segments -static --gc-sections \
			-o "$tmp/$1.elf" "$tmp/$3" "$tmp/rt.o" "$tmp/$1.o" \
			"$sysroot/libcompiler_builtins.rlib" "$4"
	}
	for o in 0 1 2 3; do
		for g in exec kernel; do
			RUSTC_BOOTSTRAP=1 "$RUSTC" --edition 2024 --target $TARGET -C opt-level=$o \
				-C debuginfo=2 -C panic=abort -C relocation-model=static -C code-model=medium \
				-C codegen-units=1 --emit obj -L "$sysroot" -o "$tmp/$g-O$o.o" "$here/$g.rs"
		done
		link_elf exec-O$o link.ld start.o "$sysroot/libcore.rlib"
		link_elf kernel-O$o klink.ld kstart.o "$sysroot/libcore.rlib"
	done
	# exec and kernel by rustc 1.63: the 2024-edition spellings the sources use become 2021's
	# (on the same line, so await points keep their line numbers)
	mkdir "$tmp/src163"
	for f in "$here"/*.rs; do
		sed -e 's/#\[unsafe(no_mangle)\]/#[no_mangle]/' \
			-e 's/^#!\[no_std\]$/#![no_std] #![feature(pin_macro)]/' "$f" >"$tmp/src163/$(basename "$f")"
	done
	for o in 0 1 2 3; do
		for g in exec kernel; do
			$OLD_RUSTC --edition 2021 --target $TARGET -C opt-level=$o -C debuginfo=2 \
				-C panic=abort -C relocation-model=static -C code-model=medium \
				-C codegen-units=1 --emit obj -L "$sysroot163" -o "$tmp/${g}163-O$o.o" \
				"$tmp/src163/$g.rs"
		done
		link_elf exec163-O$o link.ld start.o "$sysroot163/libcore.rlib"
		link_elf kernel163-O$o klink.ld kstart.o "$sysroot163/libcore.rlib"
	done
	rm -rf "$tmp/src163"
	# async bugs made on purpose: a lost wake and a busy-polling task (e2e/async)
	for o in 0 1 2 3; do
		RUSTC_BOOTSTRAP=1 "$RUSTC" --edition 2024 --target $TARGET -C opt-level=$o \
			-C debuginfo=2 -C panic=abort -C relocation-model=static -C code-model=medium \
			-C codegen-units=1 --emit obj -L "$sysroot" -o "$tmp/bugs-O$o.o" "$here/bugs.rs"
		link_elf bugs-O$o link.ld start.o "$sysroot/libcore.rlib"
	done
	# the async-heavy benchmark guest (bench/async)
	RUSTC_BOOTSTRAP=1 "$RUSTC" --edition 2024 --target $TARGET -C opt-level=2 -C debuginfo=2 \
		-C panic=abort -C relocation-model=static -C code-model=medium -C codegen-units=1 \
		--emit obj -L "$sysroot" -o "$tmp/spin-O2.o" "$here/spin.rs"
	link_elf spin-O2 link.ld start.o "$sysroot/libcore.rlib"
	# the same, endless: a run that is still going when e2e/console kills it
	RUSTC_BOOTSTRAP=1 "$RUSTC" --edition 2024 --target $TARGET -C opt-level=2 -C debuginfo=2 \
		-C panic=abort -C relocation-model=static -C code-model=medium -C codegen-units=1 \
		--cfg forever --check-cfg 'cfg(forever)' \
		--emit obj -L "$sysroot" -o "$tmp/spin-forever-O2.o" "$here/spin.rs"
	link_elf spin-forever-O2 link.ld start.o "$sysroot/libcore.rlib"
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
# builds not used for two days (other sources, or checkouts since deleted) go; the others may be
# other checkouts' current ones (git worktrees build side by side)
touch "$out"
find "$cache" -maxdepth 1 -name 'guests-*' ! -path "$out" -mtime +2 -exec rm -rf {} +
mkdir -p "$here/build"
for f in "$out"/*; do
	[ "$(basename "$f")" = done ] && continue
	cmp -s "$f" "$here/build/$(basename "$f")" 2>/dev/null || cp "$f" "$here/build/"
done
echo "$out"

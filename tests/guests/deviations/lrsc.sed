# QEMU 7.2 raises load address misaligned (4) for a misaligned AMO; the spec (and strata, see
# docs/DECISIONS.md) raise store/AMO address misaligned (6). Both checks fail on QEMU, so its
# exit status is 2; on strata they pass and the guest exits 0.
s/^\(lrsc: misaligned amoadd.d: store\/AMO address misaligned\): FAIL .*cause 0x4 tval \(0x[0-9a-f]*\); want by M cause 0x6 tval \2$/\1: ok/
s/^\(lrsc: amoadd.d at +1: store\/AMO address misaligned\): FAIL .*cause 0x4 tval \(0x[0-9a-f]*\); want by M cause 0x6 tval \2$/\1: ok/
s/^exit 2$/exit 0/

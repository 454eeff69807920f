# QEMU 7.2 latches the PLIC's SEIP line into the software bit on a CSRRS/CSRRC of mip; the
# privileged spec (3.1.9) says those instructions modify only the software bit, and strata does
# that (see docs/DECISIONS.md; the latch livelocked Linux on several harts). Both affected checks
# fail on QEMU, so its exit status is 2; on strata they pass and the guest exits 0.
s/^\(seip: line low again: SEIP clear (not latched by csrs)\): FAIL got 0x200 want 0x0$/\1: ok/
s/^\(seip: csrc mip, SEIP: clear\): FAIL got 0x200 want 0x0$/\1: ok/
s/^exit 2$/exit 0/

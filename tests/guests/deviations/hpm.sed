# mcountinhibit bit 1 (TM) is read-only zero in the privileged spec (and strata,
# docs/DECISIONS.md); QEMU 7.2 keeps it.
s/^hpm: mcountinhibit keeps 0xffffffff$/hpm: mcountinhibit keeps 0xfffffffd/

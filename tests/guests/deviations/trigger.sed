# Where QEMU 7.2's trigger module and strata's differ (docs/DECISIONS.md):
# - a trigger's breakpoint exception: strata writes the matched address to mtval (the spec's
#   choice for address triggers; the issue asks for it), QEMU 7.2 writes 0;
# - Sdtrig 1.0 5.4: breakpoint triggers do not fire in M mode while MIE = 0; QEMU 7.2 fires;
# - icount (type 3): strata has it (tinfo 0x4c), QEMU 7.2 has types 2 and 6 only (tinfo 0x44).
s/^\(trigger: .*\): FAIL got 1 traps, last by M cause 0x3 tval 0x0; want by M cause 0x3 tval 0x[0-9a-f]*$/\1: ok/
s/^\(trigger: M with MIE=0: breakpoint triggers do not fire\): FAIL unexpected trap cause 0x3 .*$/\1: ok/
s/^\(trigger: tinfo: types 2, 3 and 6\): FAIL got 0x44 want 0x4c$/\1: ok/
s/^\(trigger: icount: [^:]*\): FAIL got 0x0 want 0x[0-9a-f]*$/\1: ok/
s/^exit 11$/exit 0/

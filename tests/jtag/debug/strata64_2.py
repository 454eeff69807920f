# The debug-spec suite's target for `strata run -smp 2 --jtag`: two harts, one OpenOCD target
# each (strata64_2.cfg), GDB sees them as threads. See strata64.py.
import targets

import strata64  # pylint: disable=import-error


class strata64_2(targets.Target):
    harts = [strata64.strata64_hart(), strata64.strata64_hart()]
    openocd_config_path = "strata64_2.cfg"
    timeout_sec = 120
    # gdb-multiarch takes RISC-V ELF files for GNU/Linux and then single-steps in software (a
    # breakpoint after the instruction), which never returns from a step into a trap; the
    # suite's riscv64-unknown-elf-gdb defaults to no OS ABI
    gdb_setup = ["set osabi none"]
    support_memory_sampling = False  # Debian's OpenOCD 0.12 has no `riscv memory_sample`
    support_unavailable_control = False
    support_icount = False
    support_itrigger = False
    support_etrigger = False
    test_semihosting = False

    def create(self):
        return strata64.Strata(self, self.harts)

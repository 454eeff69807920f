# A target description for the RISC-V debug-spec suite (riscv-tests/debug, gdbserver.py): strata's
# `run --jtag` with one hart of the default machine (RV64GC, QEMU virt's memory map). Written for
# strata; tests/e2e/jtag_debug_suite.sh copies the suite to a work directory at test time and
# passes this file as the target (docs/JTAG.md lists what passes, fails and is excluded).
import os
import re
import socket
import subprocess
import tempfile
import time

import targets
import testlib


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Strata:
    """strata run --jtag, running the suite's infinite loop like the suite's Spike class."""

    def __init__(self, target, harts):
        self.process = None
        strata = os.environ.get("STRATA", "strata")
        self.infinite_loop = target.compile(harts[0], "programs/checksum.c",
                "programs/tiny-malloc.c", "programs/infinite_loop.S",
                "-DDEFINE_MALLOC", "-DDEFINE_FREE")
        port = free_port()
        os.environ["REMOTE_BITBANG_HOST"] = "127.0.0.1"
        os.environ["REMOTE_BITBANG_PORT"] = str(port)
        os.environ["WORK_AREA"] = f"0x{harts[0].ram:x}"
        # STRATA_JTAG_ADAPTER=pty: `--jtag pty` and OpenOCD's buspirate adapter (strata64.cfg)
        pty = os.environ.get("STRATA_JTAG_ADAPTER") == "pty"
        os.environ["STRATA_JTAG_PTY"] = ""
        cmd = [strata, "run", "-smp", str(len(harts)),
               "-bios", "none", "-kernel", self.infinite_loop,
               "--jtag", "pty" if pty else f"127.0.0.1:{port}"]
        # pylint: disable-next=consider-using-with
        self.logfile = tempfile.NamedTemporaryFile(prefix="strata-", suffix=".log")
        self.lognames = [self.logfile.name]
        self.logfile.write(("+ " + " ".join(cmd) + "\n").encode())
        self.logfile.flush()
        # pylint: disable-next=consider-using-with
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                stdout=self.logfile, stderr=self.logfile, start_new_session=True)
        for _ in range(100):
            with open(self.logfile.name, encoding="utf-8") as f:
                log = f.read()
                m = re.search(r"Bus Pirate protocol on (/dev/pts/[0-9]+)", log)
                if m:
                    os.environ["STRATA_JTAG_PTY"] = m.group(1)
                    return
                if re.search(r"remote_bitbang on", log):
                    return
            time.sleep(0.05)
        raise testlib.TestLibError("strata did not start listening for JTAG")

    def __del__(self):
        if self.process:
            try:
                self.process.kill()
                self.process.wait()
            except OSError:
                pass

    def wait(self, *args, **kwargs):
        return self.process.wait(*args, **kwargs)


class strata64_hart(targets.Hart):
    xlen = 64
    ram = 0x80000000
    ram_size = 0x8000000
    bad_address = 0x40000000  # nothing is mapped there
    instruction_hardware_breakpoint_count = 2  # Sdtrig: two triggers (src/cpu/trigger.c)
    reset_vectors = [0x1000]  # the boot ROM
    link_script_path = "strata64.lds"
    misa = 0x800000000014112d  # RV64IMAFDCSU, QEMU 7.2's default CPU


class strata64(targets.Target):
    harts = [strata64_hart()]
    openocd_config_path = "strata64.cfg"
    timeout_sec = 120
    # gdb-multiarch takes RISC-V ELF files for GNU/Linux and then single-steps in software (a
    # breakpoint after the instruction), which never returns from a step into a trap; the
    # suite's riscv64-unknown-elf-gdb defaults to no OS ABI
    gdb_setup = ["set osabi none"]
    implements_custom_test = False
    support_memory_sampling = False  # Debian's OpenOCD 0.12 has no `riscv memory_sample`
    support_unavailable_control = False
    support_icount = False
    support_itrigger = False
    support_etrigger = False
    test_semihosting = True
    freertos_binary = None

    def create(self):
        return Strata(self, self.harts)

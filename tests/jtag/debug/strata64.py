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
        cmd = ["timeout", "600", strata, "run", "-smp", str(len(harts)),
               "-bios", "none", "-kernel", self.infinite_loop,
               "--jtag", f"127.0.0.1:{port}"]
        # pylint: disable-next=consider-using-with
        self.logfile = tempfile.NamedTemporaryFile(prefix="strata-", suffix=".log")
        self.lognames = [self.logfile.name]
        self.logfile.write(("+ " + " ".join(cmd) + "\n").encode())
        self.logfile.flush()
        # pylint: disable-next=consider-using-with
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                stdout=self.logfile, stderr=self.logfile)
        for _ in range(100):
            with open(self.logfile.name, encoding="utf-8") as f:
                if re.search(r"remote_bitbang on", f.read()):
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
    instruction_hardware_breakpoint_count = 0  # no Sdtrig triggers yet
    reset_vectors = [0x1000]  # the boot ROM
    link_script_path = "strata64.lds"
    misa = 0x800000000014112d  # RV64IMAFDCSU, QEMU 7.2's default CPU


class strata64(targets.Target):
    harts = [strata64_hart()]
    openocd_config_path = "strata64.cfg"
    timeout_sec = 120
    implements_custom_test = False
    support_memory_sampling = True
    support_unavailable_control = False
    support_mcontrol = False
    support_mcontrol6 = False
    support_icount = False
    support_itrigger = False
    support_etrigger = False
    support_manual_hwbp = False
    test_semihosting = False
    freertos_binary = None

    def create(self):
        return Strata(self, self.harts)

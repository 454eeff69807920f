#!/usr/bin/env python3
"""Regenerate decode_cases.S and decode_table.inc for src/cpu/decode_test.c.

The expected fields come from the real assembler and disassembler, not from our decoder:
this script writes one assembly line per variant, assembles with riscv64-unknown-elf-as
-march=MARCH, disassembles with objdump -M no-aliases,numeric and turns each disassembled
line into a C table entry (encoding, expected op, expected fields). Compressed instructions
are mapped to their 32-bit expansion at the operand level only (e.g. "c.addi x2,-16" ->
addi rd=2 rs1=2 imm=-16); all immediate bit-scrambling is binutils' work.

Usage: src/cpu/testdata/gen_decode_table.py   (run from anywhere; needs the cross binutils)
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
AS = "riscv64-unknown-elf-as"
OBJDUMP = "riscv64-unknown-elf-objdump"

XR = [(10, 11, 12), (0, 0, 0), (31, 30, 29), (1, 2, 3), (5, 31, 0)]
# extremes plus alternating bit patterns, so that a swapped immediate bit cannot go unseen
IMM12 = [0, 1, -1, 2047, -2048, -1234, 777, 0x555, -0x556]
RMS = ["", "rne", "rtz", "rdn", "rup", "rmm", "dyn"]
RM_NUM = {"rne": 0, "rtz": 1, "rdn": 2, "rup": 3, "rmm": 4, "dyn": 7}
# CSR names objdump prints for the numbers used below
CSR_NUM = {"mstatus": 0x300, "fflags": 0x001, "cycle": 0xC00, "satp": 0x180, "mhartid": 0xF14}

# Operand signatures of the canonical (no-aliases) mnemonics.
SIG = {}
for m in ("add sub sll slt sltu xor srl sra or and addw subw sllw srlw sraw mul mulh mulhsu "
          "mulhu div divu rem remu mulw divw divuw remw remuw").split():
    SIG[m] = "rd,rs1,rs2"
for m in "addi slti sltiu xori ori andi addiw slli srli srai slliw srliw sraiw".split():
    SIG[m] = "rd,rs1,imm"
for m in "lb lh lw ld lbu lhu lwu flw fld jalr".split():
    SIG[m] = "rd,imm(rs1)"
for m in "sb sh sw sd fsw fsd".split():
    SIG[m] = "rs2,imm(rs1)"
for m in "beq bne blt bge bltu bgeu".split():
    SIG[m] = "rs1,rs2,target"
SIG.update({"jal": "rd,target", "lui": "rd,uimm", "auipc": "rd,uimm", "sfence.vma": "rs1,rs2"})
for m in "fence fence.tso fence.i ecall ebreak mret sret wfi dret".split():
    SIG[m] = ""
for m in "csrrw csrrs csrrc".split():
    SIG[m] = "rd,csr,rs1"
for m in "csrrwi csrrsi csrrci".split():
    SIG[m] = "rd,csr,rs1"  # the zimm lands in rs1
for w in "wd":
    SIG["lr." + w] = "rd,(rs1)"
    for m in "sc amoswap amoadd amoxor amoand amoor amomin amomax amominu amomaxu".split():
        SIG[m + "." + w] = "rd,rs2,(rs1)"
for f in "sd":
    for m in "fadd fsub fmul fdiv".split():
        SIG[m + "." + f] = "rd,rs1,rs2,?rm"
    for m in "fsgnj fsgnjn fsgnjx fmin fmax feq flt fle".split():
        SIG[m + "." + f] = "rd,rs1,rs2"
    for m in "fmadd fmsub fnmsub fnmadd".split():
        SIG[m + "." + f] = "rd,rs1,rs2,rs3,?rm"
    SIG["fsqrt." + f] = "rd,rs1,?rm"
    SIG["fclass." + f] = "rd,rs1"
    for i in ("w", "wu", "l", "lu"):
        SIG["fcvt.%s.%s" % (i, f)] = "rd,rs1,?rm"
        SIG["fcvt.%s.%s" % (f, i)] = "rd,rs1,?rm"
SIG.update({"fcvt.s.d": "rd,rs1,?rm", "fcvt.d.s": "rd,rs1,?rm"})
# Zfh / Zfhmin
for m in "fadd fsub fmul fdiv".split():
    SIG[m + ".h"] = "rd,rs1,rs2,?rm"
for m in "fsgnj fsgnjn fsgnjx fmin fmax feq flt fle".split():
    SIG[m + ".h"] = "rd,rs1,rs2"
for m in "fmadd fmsub fnmsub fnmadd".split():
    SIG[m + ".h"] = "rd,rs1,rs2,rs3,?rm"
SIG.update({"fsqrt.h": "rd,rs1,?rm", "fclass.h": "rd,rs1", "flh": "rd,imm(rs1)", "fsh": "rs2,imm(rs1)",
            "fmv.x.h": "rd,rs1", "fmv.h.x": "rd,rs1"})
for i in ("w", "wu", "l", "lu", "s", "d"):
    SIG["fcvt.%s.h" % i] = "rd,rs1,?rm"
    SIG["fcvt.h.%s" % i] = "rd,rs1,?rm"
# bit manipulation (Zba Zbb Zbc Zbs Zbkb Zbkx)
for m in ("sh1add sh2add sh3add add.uw sh1add.uw sh2add.uw sh3add.uw andn orn xnor max maxu min "
          "minu rol ror rolw rorw clmul clmulh clmulr bclr bext binv bset pack packh packw xperm4 "
          "xperm8").split():
    SIG[m] = "rd,rs1,rs2"
for m in "slli.uw rori roriw bclri bexti binvi bseti".split():
    SIG[m] = "rd,rs1,imm"
for m in "clz ctz cpop clzw ctzw cpopw sext.b sext.h zext.h orc.b rev8 brev8".split():
    SIG[m] = "rd,rs1"
for m in "fmv.x.w fmv.w.x fmv.x.d fmv.d.x".split():
    SIG[m] = "rd,rs1"
# Zicbom, Zicboz, Svinval (prefetch.* are ORI HINTs: they decode as ori)
for m in "cbo.clean cbo.flush cbo.inval cbo.zero".split():
    SIG[m] = "(rs1)"
SIG.update({"sinval.vma": "rs1,rs2", "sfence.w.inval": "", "sfence.inval.ir": ""})
# H: hypervisor loads/stores (operand order of binutils) and fences
for m in "hlv.b hlv.bu hlv.h hlv.hu hlvx.hu hlv.w hlv.wu hlvx.wu hlv.d".split():
    SIG[m] = "rd,(rs1)"
for m in "hsv.b hsv.h hsv.w hsv.d".split():
    SIG[m] = "rs2,(rs1)"
SIG.update({"hfence.vvma": "rs1,rs2", "hfence.gvma": "rs1,rs2"})
# binutils 2.40 always encodes rm = 0 for these exact conversions and never prints it
RM_UNPRINTED = {"fcvt.d.s", "fcvt.d.w", "fcvt.d.wu", "fcvt.s.h", "fcvt.d.h"}
MARCH = "rv64gch_zba_zbb_zbc_zbs_zbkb_zbkc_zbkx_zfh_zicbom_zicboz_svinval"  # binutils 2.40 has no Zicond: decode_test
OP_ALIAS = {"fence.tso": "fence"}

# Compressed: (expanded mnemonic, objdump operand signature, expansion of parsed operands).
# Operand names in the signature are parsed; the lambda maps them to expanded fields.
RVC = {
    "c.addi4spn": ("addi", "rd,x2,imm", lambda o: dict(rd=o["rd"], rs1=2, imm=o["imm"])),
    "c.fld": ("fld", "rd,imm(rs1)", None),
    "c.lw": ("lw", "rd,imm(rs1)", None),
    "c.ld": ("ld", "rd,imm(rs1)", None),
    "c.fsd": ("fsd", "rs2,imm(rs1)", None),
    "c.sw": ("sw", "rs2,imm(rs1)", None),
    "c.sd": ("sd", "rs2,imm(rs1)", None),
    "c.nop": ("addi", "?imm", lambda o: dict(rd=0, rs1=0, imm=o.get("imm", 0))),
    "c.addi": ("addi", "rd,imm", lambda o: dict(rd=o["rd"], rs1=o["rd"], imm=o["imm"])),
    "c.addiw": ("addiw", "rd,imm", lambda o: dict(rd=o["rd"], rs1=o["rd"], imm=o["imm"])),
    "c.li": ("addi", "rd,imm", lambda o: dict(rd=o["rd"], rs1=0, imm=o["imm"])),
    "c.addi16sp": ("addi", "x2,imm", lambda o: dict(rd=2, rs1=2, imm=o["imm"])),
    "c.lui": ("lui", "rd,uimm", lambda o: dict(rd=o["rd"], imm=o["imm"])),
    "c.srli": ("srli", "rd,imm", lambda o: dict(rd=o["rd"], rs1=o["rd"], imm=o["imm"])),
    "c.srai": ("srai", "rd,imm", lambda o: dict(rd=o["rd"], rs1=o["rd"], imm=o["imm"])),
    "c.andi": ("andi", "rd,imm", lambda o: dict(rd=o["rd"], rs1=o["rd"], imm=o["imm"])),
    "c.j": ("jal", "target", lambda o: dict(rd=0, imm=o["imm"])),
    "c.beqz": ("beq", "rs1,target", lambda o: dict(rs1=o["rs1"], rs2=0, imm=o["imm"])),
    "c.bnez": ("bne", "rs1,target", lambda o: dict(rs1=o["rs1"], rs2=0, imm=o["imm"])),
    "c.slli": ("slli", "rd,imm", lambda o: dict(rd=o["rd"], rs1=o["rd"], imm=o["imm"])),
    "c.fldsp": ("fld", "rd,imm(rs1)", None),
    "c.lwsp": ("lw", "rd,imm(rs1)", None),
    "c.ldsp": ("ld", "rd,imm(rs1)", None),
    "c.jr": ("jalr", "rs1", lambda o: dict(rd=0, rs1=o["rs1"], imm=0)),
    "c.jalr": ("jalr", "rs1", lambda o: dict(rd=1, rs1=o["rs1"], imm=0)),
    "c.mv": ("add", "rd,rs2", lambda o: dict(rd=o["rd"], rs1=0, rs2=o["rs2"])),
    "c.add": ("add", "rd,rs2", lambda o: dict(rd=o["rd"], rs1=o["rd"], rs2=o["rs2"])),
    "c.ebreak": ("ebreak", "", lambda o: {}),
    "c.fsdsp": ("fsd", "rs2,imm(rs1)", None),
    "c.swsp": ("sw", "rs2,imm(rs1)", None),
    "c.sdsp": ("sd", "rs2,imm(rs1)", None),
}
for m in ("slli", "srli", "srai"):  # shamt = 0 HINTs, printed by objdump as c.slli64 etc.
    RVC["c.%s64" % m] = (m, "rd", lambda o: dict(rd=o["rd"], rs1=o["rd"], imm=0))
for m in "sub xor or and subw addw".split():
    RVC["c." + m] = (m, "rd,rs2", lambda o: dict(rd=o["rd"], rs1=o["rd"], rs2=o["rs2"]))


def x(n):
    return "x%d" % n


def f(n):
    return "f%d" % n


def gen_asm():
    """The assembly source: every op in several register/immediate variants."""
    out = [".option norvc", ".option norelax"]
    add = out.append
    for m, sig in SIG.items():
        if m in ("fence.tso",):
            continue
        fp = m[0] == "f" and not m.startswith("fence")
        # integer/FP register class per operand position
        if m.startswith(("fcvt.w", "fcvt.l", "fmv.x", "fclass", "feq", "flt", "fle")):
            regs = (x, f, f, f)
        elif m.startswith(("fcvt.s.w", "fcvt.s.l", "fcvt.d.w", "fcvt.d.l", "fmv.w.x", "fmv.d.x",
                           "fcvt.h.w", "fcvt.h.l", "fmv.h.x")):
            regs = (f, x, x, x)
        elif m in ("flw", "fld", "fsw", "fsd", "flh", "fsh"):
            regs = (f, x, f, f)
        elif fp:
            regs = (f, f, f, f)
        else:
            regs = (x, x, x, x)
        R = [(regs[0](a), regs[1](b), regs[2](c), regs[3]((a + b) % 32)) for a, b, c in XR]
        if sig == "":
            add(m)
        elif sig == "rd,rs1,rs2":
            for a, b, c, _ in R:
                add("%s %s,%s,%s" % (m, a, b, c))
        elif sig == "rd,rs1,imm":
            if m in ("slli", "srli", "srai", "slli.uw", "rori", "bclri", "bexti", "binvi", "bseti"):
                imms = [0, 1, 31, 32, 63]
            elif m.endswith("iw") and m != "addiw":
                imms = [0, 1, 17, 31]
            else:
                imms = IMM12
            for i, (a, b, _, _) in enumerate(R):
                for imm in imms[i % 2::2] if i < 2 else imms[:1]:
                    add("%s %s,%s,%d" % (m, a, b, imm))
        elif sig == "rd,imm(rs1)":
            for i, (a, b, _, _) in enumerate(R):
                for imm in IMM12[i % 2::2] if i < 2 else IMM12[2:3]:
                    add("%s %s,%d(%s)" % (m, a, imm, b))
        elif sig == "rs2,imm(rs1)":
            for i, (a, b, c, _) in enumerate(R):
                for imm in IMM12[i % 2::2] if i < 2 else IMM12[3:4]:
                    add("%s %s,%d(%s)" % (m, c, imm, b))
        elif sig == "rs1,rs2,target":
            for i, (a, b, _, _) in enumerate(R):
                for off in [4094, -4096, 0, -2, 2, 1234, 0xAAA, -0x556, 0x554][i % 3::3] if i < 3 else [8]:
                    add("%s %s,%s,.%+d" % (m, a, b, off))
        elif sig == "rd,target":
            for i, (a, _, _, _) in enumerate(R):
                add("%s %s,.%+d" % (m, a, [1048574, -1048576, 0, -2, 2046][i]))
            for off in (0x55554, -0xAAAAC, 0xAAAAA, 0x800):
                add("%s %s,.%+d" % (m, R[0][0], off))
        elif sig == "rd,uimm":
            for i, (a, _, _, _) in enumerate(R):
                add("%s %s,0x%x" % (m, a, [0, 0xFFFFF, 0x80000, 1, 0x7FFFF][i]))
            add("%s %s,0x%x" % (m, a, [0x55555, 0xAAAAA, 0x12345, 0xEDCBA, 0x00F00][i]))
        elif sig == "rs1,rs2":
            for _, b, c, _ in R:
                add("%s %s,%s" % (m, b, c))
        elif sig == "rd,csr,rs1":
            csrs = [0x300, 0x7C0, 0xFFF, 0x001, 0xC00]
            for i, (a, b, _, _) in enumerate(R):
                src = b if not m.endswith("i") else str([0, 31, 17, 1, 30][i])
                add("%s %s,0x%x,%s" % (m, a, csrs[i], src))
        elif sig == "(rs1)":
            for _, b, _, _ in R:
                add("%s (%s)" % (m, b))
        elif sig == "rd,(rs1)" and m.startswith("hlv"):
            for a, b, _, _ in R:
                add("%s %s,(%s)" % (m, a, b))
        elif sig == "rs2,(rs1)":
            for _, b, c, _ in R:
                add("%s %s,(%s)" % (m, c, b))
        elif sig == "rd,(rs1)":
            for i, (a, b, _, _) in enumerate(R):
                add("%s%s %s,(%s)" % (m, ["", ".aq", ".rl", ".aqrl", ""][i], a, b))
        elif sig == "rd,rs2,(rs1)":
            for i, (a, b, c, _) in enumerate(R):
                add("%s%s %s,%s,(%s)" % (m, ["", ".aq", ".rl", ".aqrl", ""][i], a, c, b))
        elif sig.endswith("?rm"):
            n = sig.count(",")  # register operands
            rms = [""] if m in RM_UNPRINTED else RMS
            for i, r in enumerate(R):
                for rm in rms[i::len(R)] if len(rms) > 1 else rms:
                    add("%s %s%s" % (m, ",".join(r[:n]), "," + rm if rm else ""))
        elif sig == "rd,rs1":
            for a, b, _, _ in R:
                add("%s %s,%s" % (m, a, b))
        else:
            sys.exit("gen: no generator for signature %r of %s" % (sig, m))
    # one immediate bit at a time: any misplaced bit in an immediate scramble shows up
    for k in range(1, 12):
        add("beq x8,x9,.%+d" % (1 << k))
    for k in range(1, 20):
        add("jal x1,.%+d" % (1 << k))
    for k in range(0, 11):
        add("addi x1,x2,%d" % (1 << k))
        add("sd x1,%d(x2)" % (1 << k))
    add("fence.tso")
    add("fence w,r")
    add("fence r,w")

    add(".option rvc")
    cr = [8, 15, 10]
    for rd, rs1, imm in [(8, 2, 4), (15, 2, 1020), (10, 2, 512), (9, 2, 0x2A8), (11, 2, 0x154)]:
        add("c.addi4spn x%d,x%d,%d" % (rd, rs1, imm))
    for m, imms in (("c.fld", [0, 8, 248, 0xA8, 0x50]), ("c.lw", [0, 4, 124, 0x54, 0x28]),
                    ("c.ld", [0, 248, 128, 0xA8, 0x50]), ("c.fsd", [0, 248, 8, 0x50, 0xA8]),
                    ("c.sw", [124, 0, 64, 0x28, 0x54]), ("c.sd", [0, 8, 248, 0x50, 0xA8])):
        reg = f if m in ("c.fld", "c.fsd") else x
        for i, imm in enumerate(imms):
            add("%s %s,%d(x%d)" % (m, reg(cr[i % 3]), imm, cr[(i + 1) % 3]))
    add("c.nop")
    for rd, imm in [(1, -32), (31, 31), (10, 1), (2, -1), (3, 21), (4, -22)]:
        add("c.addi x%d,%d" % (rd, imm))
    for rd, imm in [(1, 0), (31, -32), (10, 31), (3, 21), (4, -22)]:
        add("c.addiw x%d,%d" % (rd, imm))
    for rd, imm in [(1, 0), (31, -32), (10, 31), (2, -1), (3, 21), (4, -22)]:
        add("c.li x%d,%d" % (rd, imm))
    for imm in (-512, 496, 16, -16, 0x150, -0x160):
        add("c.addi16sp x2,%d" % imm)
    for rd, imm in [(1, 1), (3, 0x1F), (31, 0xFFFE0), (10, 0xFFFFF), (4, 0x15), (5, 0xFFFEA)]:
        add("c.lui x%d,0x%x" % (rd, imm))
    for m in ("c.srli", "c.srai"):
        for rd, imm in [(8, 1), (15, 63), (10, 32), (9, 31), (11, 21), (12, 42)]:
            add("%s x%d,%d" % (m, rd, imm))
    for rd, imm in [(8, 0), (15, -32), (10, 31), (9, -1), (11, 21), (12, -22)]:
        add("c.andi x%d,%d" % (rd, imm))
    for m in "c.sub c.xor c.or c.and c.subw c.addw".split():
        for rd, rs2 in [(8, 15), (15, 8), (10, 10)]:
            add("%s x%d,x%d" % (m, rd, rs2))
    for off in (2046, -2048, 0, -2, 0x554, 0x2AA, -0x556, 0x40, 0x80):
        add("c.j .%+d" % off)
    for m in ("c.beqz", "c.bnez"):
        for rs1, off in [(8, -256), (15, 254), (10, 0), (11, 0xAA), (12, -0x56), (13, 0x54)]:
            add("%s x%d,.%+d" % (m, rs1, off))
    for rd, imm in [(1, 1), (31, 63), (10, 32), (3, 21), (4, 42)]:
        add("c.slli x%d,%d" % (rd, imm))
    for m, imms in (("c.fldsp", [0, 504, 8, 0x1A8, 0x150]), ("c.lwsp", [0, 252, 4, 0xA8, 0x54]),
                    ("c.ldsp", [0, 504, 256, 0x1A8, 0x150]), ("c.fsdsp", [0, 504, 8, 0x150, 0x1A8]),
                    ("c.swsp", [252, 0, 128, 0x54, 0xA8]), ("c.sdsp", [504, 0, 8, 0x150, 0x1A8])):
        reg = f if "fsd" in m or "fld" in m else x
        for rd, imm in zip([1, 31, 0 if "s" in m[2:4] else 10, 5, 6], imms):
            add("%s %s,%d(x2)" % (m, reg(rd), imm))
    for rs1 in (1, 31, 10):
        add("c.jr x%d" % rs1)
        add("c.jalr x%d" % rs1)
    for rd, rs2 in [(1, 31), (31, 1), (10, 11)]:
        add("c.mv x%d,x%d" % (rd, rs2))
        add("c.add x%d,x%d" % (rd, rs2))
    add("c.ebreak")
    for k in range(1, 11):
        add("c.j .%+d" % (1 << k))
    for k in range(1, 8):
        add("c.beqz x8,.%+d" % (1 << k))
    for k in range(2, 10):
        add("c.addi4spn x8,x2,%d" % (1 << k))
    for k in range(4, 9):
        add("c.addi16sp x2,%d" % (1 << k))
    for k in range(0, 5):
        add("c.lui x1,0x%x" % (1 << k))
        add("c.addi x1,%d" % (1 << k))
    for k in range(2, 7):
        add("c.lw x8,%d(x9)" % (1 << k))
        add("c.sw x8,%d(x9)" % (1 << k))
    for k in range(3, 8):
        add("c.ld x8,%d(x9)" % (1 << k))
        add("c.sd x8,%d(x9)" % (1 << k))
    for k in range(2, 8):
        add("c.lwsp x8,%d(x2)" % (1 << k))
        add("c.swsp x8,%d(x2)" % (1 << k))
    for k in range(3, 9):
        add("c.ldsp x8,%d(x2)" % (1 << k))
        add("c.sdsp x8,%d(x2)" % (1 << k))
        add("c.fldsp f8,%d(x2)" % (1 << k))
        add("c.fsdsp f8,%d(x2)" % (1 << k))
    # HINTs: legal, decode as their ordinary expansion (gas rejects most of them as mnemonics)
    for raw in (0x0015, 0x1005, 0x0101 | 5 << 2, 0x4015, 0x4001, 0x6005, 0x0006, 0x0502, 0x802E, 0x902E):
        add(".insn 0x%04x" % raw)
    return "\n".join(out) + "\n"


def parse_operands(sig, ops, addr):
    """Parse objdump operand strings per signature into a dict of field -> value."""
    out = {}
    want = [s for s in sig.split(",") if s] if sig else []
    if want and want[-1].startswith("?"):
        if len(ops) < len(want):
            want = want[:-1]
        else:
            want[-1] = want[-1][1:]
    if len(want) != len(ops):
        raise ValueError("operands %r do not fit %r" % (ops, sig))
    for w, o in zip(want, ops):
        m = re.fullmatch(r"(\w+)\((\w+)\)", w)
        if m:
            mo = re.fullmatch(r"(-?\w*)\(([xf]\d+)\)", o)
            out["imm"] = int(mo.group(1) or "0", 0)
            out[m.group(2)] = int(mo.group(2)[1:])
        elif w == "(rs1)":
            out["rs1"] = int(o.strip("()")[1:])
        elif w in ("rd", "rs1", "rs2", "rs3"):
            if not re.fullmatch(r"[xf]\d+", o):
                out[w] = int(o, 0)  # zimm of the CSR *I forms
            else:
                out[w] = int(o[1:])
        elif w in ("x2",):
            assert o == "x2", o
        elif w == "imm":
            out["imm"] = int(o, 0)
        elif w == "uimm":
            v = int(o, 0) << 12
            out["imm"] = v - (1 << 32) if v & 0x80000000 else v
        elif w == "target":
            t = int(o.split()[0], 16)
            d = (t - addr) % (1 << 64)
            out["imm"] = d - (1 << 64) if d >> 63 else d
        elif w == "csr":
            out["imm"] = CSR_NUM[o] if o in CSR_NUM else int(o, 0)
        elif w == "rm":
            out["rm"] = RM_NUM[o]
        else:
            raise ValueError("signature item %r" % w)
    return out


def parse_dump(text):
    entries = []
    line_re = re.compile(r"^\s*([0-9a-f]+):\s+([0-9a-f]+)\s+(\S+)\s*(.*)$")
    for line in text.splitlines():
        m = line_re.match(line)
        if not m or "R_RISCV" in line:
            continue
        addr, raw, mn, rest = int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4)
        rest = rest.split("#")[0].strip()  # objdump's "# <target>" remarks
        ops = [o.strip() for o in rest.split(",")] if rest else []
        if len(m.group(2)) == 4:
            if mn not in RVC:
                sys.exit("gen: unknown compressed mnemonic: " + line)
            op, sig, expand = RVC[mn]
            o = parse_operands(sig, ops, addr)
            fields = expand(o) if expand else o
            length = 2
        else:
            base = re.sub(r"\.(aq|rl|aqrl)$", "", mn) if mn.startswith(("lr", "sc", "amo")) else mn
            if base not in SIG:
                sys.exit("gen: unknown mnemonic: " + line)
            # fence's pred/succ are not decoded fields: the op is all that is checked
            fields = parse_operands(SIG[base], ops, addr) if not base.startswith("fence") else {}
            if base.startswith(("lr", "sc", "amo")):
                fields["rm"] = (2 if "aq" in mn[len(base):] else 0) | (1 if "rl" in mn[len(base):] else 0)
            if SIG[base].endswith("?rm") and "rm" not in fields and base not in RM_UNPRINTED:
                fields["rm"] = 7  # objdump omits the dynamic rounding mode
            op = OP_ALIAS.get(base, base)
            length = 4
        text = (mn + " " + rest).strip().replace('"', "'")
        entries.append((raw, length, op, fields, text))
    return entries


def main():
    asm = gen_asm()
    with open(os.path.join(HERE, "decode_cases.S"), "w") as fo:
        fo.write("# Generated by gen_decode_table.py: every op, several variants each.\n" + asm)
    with tempfile.TemporaryDirectory() as tmp:
        obj = os.path.join(tmp, "cases.o")
        subprocess.run([AS, "-march=" + MARCH, "-o", obj, os.path.join(HERE, "decode_cases.S")],
                       check=True)
        dump = subprocess.run([OBJDUMP, "-d", "-M", "no-aliases,numeric", obj], check=True,
                              capture_output=True, text=True).stdout
    entries = parse_dump(dump)
    flags = {"rd": "C_RD", "rs1": "C_RS1", "rs2": "C_RS2", "rs3": "C_RS3", "rm": "C_RM",
             "imm": "C_IMM"}
    lines = ["/* Generated by gen_decode_table.py from %s and %s -d -M no-aliases,numeric."
             % (AS, OBJDUMP),
             " * {raw, len, op, checked fields, rd, rs1, rs2, rs3, rm, imm, disassembly} */"]
    for raw, length, op, fl, text in entries:
        chk = "|".join(flags[k] for k in flags if k in fl) or "0"
        lines.append('{0x%0*x, %d, OP_%s, %s, %d, %d, %d, %d, %d, %d, "%s"},' % (
            length * 2, raw, length, op.upper().replace(".", "_"), chk, fl.get("rd", 0),
            fl.get("rs1", 0), fl.get("rs2", 0), fl.get("rs3", 0), fl.get("rm", 0),
            fl.get("imm", 0), text))
    with open(os.path.join(HERE, "decode_table.inc"), "w") as fo:
        fo.write("\n".join(lines) + "\n")
    print("gen: %d cases" % len(entries))


if __name__ == "__main__":
    main()

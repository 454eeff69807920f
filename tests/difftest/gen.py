#!/usr/bin/env python3
"""difftest generator: a random RV64GC (or, with xlen 32, RV32GC) program for runtime.S, from a seed.

The program is a list of blocks; a block is a list of units; a unit is one random instruction
or a short group that must stay together (lla+jalr, addi+AMO, LR..SC, li+csrw mstatus ..).
Units are drawn from one seeded random.Random in a fixed order, so the same seed always gives
the same instruction stream whatever the output mode (--fine only adds dump calls).

Register discipline (random code never writes these):
  gp  runtime scratch area      tp  dump link register
  s0  dt_data + 2048            s1  dt_data + 3072      sp  dt_data + 1024
Only the c.addi16sp pair moves sp, and moves it back two units later at the latest.
"""
import argparse
import random
import re
import sys

DATA_SIZE = 4096
S0_OFF, S1_OFF, SP_OFF = 2048, 3072, 1024

XNAMES = ['x%d' % i for i in range(32)]
DEST = [1, 5, 6, 7] + list(range(10, 32))   # writable by random code
DEST_C = list(range(10, 16))                # writable x8..x15 (compressed rd')
RS_C = list(range(8, 16))

RMS = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'dyn']

# Every RV64GC mnemonic the generator emits (checked by `run --coverage`).
ALU_RR = ('add sub sll slt sltu xor srl sra or and addw subw sllw srlw sraw '
          'mul mulh mulhsu mulhu div divu rem remu mulw divw divuw remw remuw').split()
ALU_RI = 'addi slti sltiu xori ori andi addiw'.split()
SHIFT_I = 'slli srli srai'.split()
SHIFT_IW = 'slliw srliw sraiw'.split()
LOADS = [('lb', 1), ('lh', 2), ('lw', 4), ('ld', 8), ('lbu', 1), ('lhu', 2), ('lwu', 4)]
STORES = [('sb', 1), ('sh', 2), ('sw', 4), ('sd', 8)]
BRANCHES = 'beq bne blt bge bltu bgeu'.split()
AMOS = 'amoswap amoadd amoxor amoand amoor amomin amomax amominu amomaxu'.split()
AQRL = ['', '.aq', '.rl', '.aqrl']
F3 = 'fadd fsub fmul fdiv'.split()
F4 = 'fmadd fmsub fnmsub fnmadd'.split()
FSGN = 'fsgnj fsgnjn fsgnjx fmin fmax'.split()
FCMP = 'feq flt fle'.split()

# Edge-case values.
INT_EDGE = [0, 1, 2, 3, -1, -2, 0x7fffffffffffffff, -0x8000000000000000, 0x7fffffff, 0x80000000,
            -0x80000000, 0xffffffff, 0x100000000, 0xffff, 0x8000, 0x7f, 0x80, 0xff, 63, 64, 31, 32,
            0x8000000000000001, 0x00000000ffffffff, -0x7fffffff]
F32_EDGE = [0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x00000001,
            0x80000001, 0x007fffff, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x3f800000,
            0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000, 0x4b000000, 0x4b000001, 0x4effffff,
            0x4f000000, 0xcf000000, 0xcf000001, 0x4f800000, 0x5f000000, 0xdf000000, 0x5f800000,
            0x3f800001, 0x33800000, 0x34000000, 0x3effffff, 0x3f7fffff, 0x40000000, 0x00400000]
F64_EDGE = [0x0000000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
            0x7ff8000000000000, 0xfff8000000000000, 0x0000000000000001, 0x8000000000000001,
            0x000fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff, 0xffefffffffffffff,
            0x3ff0000000000000, 0xbff0000000000000, 0x3fe0000000000000, 0x3ff8000000000000,
            0x4004000000000000, 0x4330000000000000, 0x4330000000000001, 0x41dfffffffc00000,
            0x41e0000000000000, 0xc1e0000000000000, 0xc1e0000000200000, 0x41f0000000000000,
            0x43e0000000000000, 0xc3e0000000000000, 0x43f0000000000000, 0x3ff0000000000001,
            0x3ca0000000000000, 0x3fefffffffffffff, 0x4000000000000000, 0x47efffffe0000000,
            0x47efffffe0000001, 0x36a0000000000000, 0x3690000000000000, 0x0008000000000000]
M64 = (1 << 64) - 1
F16_EDGE = [0x0000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0x3c01, 0x3bff, 0x7bff, 0x7c00, 0x7e00, 0x7c01,
            0x7dff, 0x3800, 0x4000, 0x5bff, 0x5c00, 0x1400, 0x0200, 0x7800, 0x6bff, 0x6c00, 0x7a00]

# The extensions a program may use when the runner does not say (strata's extension names).
DEFAULT_EXTS = {'i', 'm', 'a', 'f', 'd', 'c', 'zicsr', 'zifencei'}


# What RV32 lacks (its programs draw from the same units, without these)
RV64_ONLY = set('addw subw sllw srlw sraw mulw divw divuw remw remuw addiw slliw srliw sraiw ld lwu sd '
                'rolw rorw roriw clzw ctzw cpopw packw add.uw sh1add.uw sh2add.uw sh3add.uw slli.uw'.split())


class Gen:
    def __init__(self, seed, avoid=None, exts=None, xlen=64):
        self.r = random.Random(seed)
        self.avoid = re.compile(avoid) if avoid else None
        self.exts = exts if exts is not None else DEFAULT_EXTS
        self.xlen = xlen
        self.rv32 = xlen == 32

    def ops(self, names):
        """names without the RV64-only ones on RV32."""
        return [n for n in names if not (self.rv32 and n in RV64_ONLY)]

    def shamt(self):
        return self.r.randrange(self.xlen)

    # ---- values ----
    def ival(self):
        v = self.ival64()
        return v & 0xffffffff if self.rv32 else v

    def ival64(self):
        r = self.r
        k = r.random()
        if k < 0.4:
            return r.choice(INT_EDGE) & M64
        if k < 0.6:
            return r.randrange(-4096, 4096) & M64
        if k < 0.7:
            return (r.getrandbits(32) ^ (M64 << 32 if r.random() < 0.5 else 0)) & M64
        return r.getrandbits(64)

    def f32(self):
        r = self.r
        k = r.random()
        if k < 0.45:
            v = r.choice(F32_EDGE)
        elif k < 0.55:    # NaN with random payload, quiet or signalling
            v = 0x7f800000 | r.getrandbits(22) | (0x400000 if r.random() < 0.5 else 0)
            v |= 1 if v & 0x7fffff == 0 else 0
            v |= r.getrandbits(1) << 31
        elif k < 0.65:    # subnormal
            v = r.getrandbits(23) | (r.getrandbits(1) << 31)
        elif k < 0.85:    # moderate exponent, so arithmetic stays in range
            v = (r.getrandbits(1) << 31) | (r.randrange(100, 155) << 23) | r.getrandbits(23)
        else:
            v = r.getrandbits(32)
        return v

    def f64(self):
        r = self.r
        k = r.random()
        if k < 0.45:
            v = r.choice(F64_EDGE)
        elif k < 0.55:
            v = 0x7ff0000000000000 | r.getrandbits(51) | (1 << 51 if r.random() < 0.5 else 0)
            v |= 1 if v & ((1 << 52) - 1) == 0 else 0
            v |= r.getrandbits(1) << 63
        elif k < 0.65:
            v = r.getrandbits(52) | (r.getrandbits(1) << 63)
        elif k < 0.85:
            v = (r.getrandbits(1) << 63) | (r.randrange(900, 1150) << 52) | r.getrandbits(52)
        else:
            v = r.getrandbits(64)
        return v

    def fval(self):
        """A 64-bit FP register image: boxed single, double, or (rarely) a non-boxed junk."""
        k = self.r.random()
        if k < 0.45:
            return 0xffffffff00000000 | self.f32()
        if k < 0.9:
            return self.f64()
        return self.r.getrandbits(64)

    # ---- operands ----
    def rd(self):
        return XNAMES[self.r.choice(DEST)] if self.r.random() > 0.02 else 'x0'

    def rs(self):
        return XNAMES[self.r.randrange(32)]

    def fr(self):
        return 'f%d' % self.r.randrange(32)

    def rm(self):
        return self.r.choice(RMS)

    def mem(self, size, base=None):
        """A base register and an offset inside dt_data (misaligned 25% of the time)."""
        r = self.r
        base = base or r.choice(['s0', 's0', 's1', 'sp'])
        lo, hi = {'s0': (-S0_OFF, DATA_SIZE - S0_OFF - 8), 's1': (-S1_OFF + 1024, DATA_SIZE - S1_OFF - 8),
                  'sp': (-SP_OFF, 1016)}[base]
        off = r.randrange(lo, hi + 1)
        if r.random() < 0.75:
            off &= ~(size - 1)
        return '%d(%s)' % (off, base)

    # ---- units: each returns a list of asm lines (label placeholders {L<n>} = n units ahead) ----
    def u_alu_rr(self):
        return ['%s %s, %s, %s' % (self.r.choice(self.ops(ALU_RR)), self.rd(), self.rs(), self.rs())]

    def u_alu_ri(self):
        r = self.r
        k = r.random()
        if k < 0.5:
            return ['%s %s, %s, %d' % (r.choice(self.ops(ALU_RI)), self.rd(), self.rs(), r.randrange(-2048, 2048))]
        if k < 0.75 or (k < 0.9 and self.rv32):
            return ['%s %s, %s, %d' % (r.choice(SHIFT_I), self.rd(), self.rs(), self.shamt())]
        if k < 0.9:
            return ['%s %s, %s, %d' % (r.choice(SHIFT_IW), self.rd(), self.rs(), r.randrange(32))]
        return ['%s %s, 0x%x' % (r.choice(['lui', 'auipc']), self.rd(), r.getrandbits(20))]

    def u_li(self):
        return ['li %s, 0x%x' % (XNAMES[self.r.choice(DEST)], self.ival())]

    def u_load(self):
        op, size = self.r.choice([x for x in LOADS if x[0] in self.ops([x[0]])] + [('flw', 4), ('fld', 8)])
        dst = self.fr() if op[0] == 'f' else self.rd()
        return ['%s %s, %s' % (op, dst, self.mem(size))]

    def u_store(self):
        op, size = self.r.choice([x for x in STORES if x[0] in self.ops([x[0]])] + [('fsw', 4), ('fsd', 8)])
        src = self.fr() if op[0] == 'f' else self.rs()
        return ['%s %s, %s' % (op, src, self.mem(size))]

    def u_branch(self):
        r = self.r
        a = self.rs()
        b = a if r.random() < 0.15 else self.rs()
        return ['%s %s, %s, {L%d}' % (r.choice(BRANCHES), a, b, r.randrange(1, 12))]

    def u_jal(self):
        return ['jal %s, {L%d}' % (self.rd(), self.r.randrange(1, 12))]

    def u_jalr(self):
        r = self.r
        t = XNAMES[r.choice(DEST)]
        k = r.randrange(-64, 64)
        return ['lla %s, {L%d}%+d' % (t, r.randrange(1, 10), -k + r.randrange(2)),
                'jalr %s, %d(%s)' % (self.rd(), k, t)]

    def u_amo(self):
        r = self.r
        w = r.choice(['w'] if self.rv32 else ['w', 'd'])
        size = 4 if w == 'w' else 8
        t = XNAMES[r.choice(DEST)]
        off = r.randrange(-2048, DATA_SIZE - S0_OFF - 8)
        if r.random() < 0.9:
            off &= ~(size - 1)
        return ['addi %s, s0, %d' % (t, off),
                '%s.%s%s %s, %s, (%s)' % (r.choice(AMOS), w, r.choice(AQRL), self.rd(), self.rs(), t)]

    def u_lrsc(self):
        r = self.r
        w = r.choice(['w'] if self.rv32 else ['w', 'd'])
        size = 4 if w == 'w' else 8
        t = r.choice(DEST)
        off = r.randrange(-2048, DATA_SIZE - S0_OFF - 8)
        if r.random() < 0.9:
            off &= ~(size - 1)
        lines = ['addi x%d, s0, %d' % (t, off)]
        lrd = XNAMES[r.choice([d for d in DEST if d != t])]
        if off & (size - 1):    # misaligned LR traps; QEMU 7.2 never traps a misaligned SC (README)
            return lines + ['lr.%s%s %s, (x%d)' % (w, r.choice(AQRL), lrd, t)]
        lone = r.random() < 0.15      # SC without a reservation: must fail
        if not lone:
            lines.append('lr.%s%s %s, (x%d)' % (w, r.choice(AQRL), lrd, t))
            for _ in range(r.randrange(3)):
                rd = r.choice([d for d in DEST if d != t])
                lines.append('%s x%d, %s, %s' % (r.choice(['add', 'xor', 'sub']), rd, self.rs(), self.rs()))
            if r.random() < 0.1:    # SC to a different address than the LR: must fail
                t2 = r.choice([d for d in DEST if d != t])
                lines.append('addi x%d, x%d, %d' % (t2, t, r.choice([8, 64, -8])))
                t = t2
        lines.append('sc.%s%s %s, %s, (x%d)' % (w, r.choice(AQRL), self.rd(), self.rs(), t))
        return lines

    def u_fp3(self):
        r = self.r
        s = r.choice('sd')
        return ['%s.%s %s, %s, %s, %s' % (r.choice(F3), s, self.fr(), self.fr(), self.fr(), self.rm())]

    def u_fp4(self):
        r = self.r
        s = r.choice('sd')
        return ['%s.%s %s, %s, %s, %s, %s' % (r.choice(F4), s, self.fr(), self.fr(), self.fr(), self.fr(), self.rm())]

    def u_fp2(self):
        r = self.r
        s = r.choice('sd')
        k = r.random()
        if k < 0.2:
            return ['fsqrt.%s %s, %s, %s' % (s, self.fr(), self.fr(), self.rm())]
        if k < 0.55:
            a = self.fr()
            return ['%s.%s %s, %s, %s' % (r.choice(FSGN), s, self.fr(), a, a if r.random() < 0.1 else self.fr())]
        if k < 0.85:
            return ['%s.%s %s, %s, %s' % (r.choice(FCMP), s, self.rd(), self.fr(), self.fr())]
        return ['fclass.%s %s, %s' % (s, self.rd(), self.fr())]

    def u_fcvt(self):
        r = self.r
        s = r.choice('sd')
        ity = r.choice(['w', 'wu'] if self.rv32 else ['w', 'wu', 'l', 'lu'])
        k = r.random()
        if k < 0.45:    # float -> int
            return ['fcvt.%s.%s %s, %s, %s' % (ity, s, self.rd(), self.fr(), self.rm())]
        if k < 0.8:     # int -> float
            if s == 'd' and ity in ('w', 'wu'):   # exact; gas takes no rm, so encode it
                fd, rs1 = self.r.randrange(32), self.r.randrange(32)
                if r.random() < 0.5:
                    return ['fcvt.d.%s f%d, x%d' % (ity, fd, rs1)]
                rm = r.choice([0, 1, 2, 3, 4, 7])
                return ['.insn r 0x53, %d, 0x69, f%d, x%d, x%d' % (rm, fd, rs1, 0 if ity == 'w' else 1)]
            return ['fcvt.%s.%s %s, %s, %s' % (s, ity, self.fr(), self.rs(), self.rm())]
        if k < 0.9:
            return ['fcvt.s.d %s, %s, %s' % (self.fr(), self.fr(), self.rm())]
        if r.random() < 0.5:
            return ['fcvt.d.s %s, %s' % (self.fr(), self.fr())]
        rm = r.choice([0, 1, 2, 3, 4, 7])   # fcvt.d.s is exact; gas takes no rm
        return ['.insn r 0x53, %d, 0x21, f%d, f%d, f0' % (rm, r.randrange(32), r.randrange(32))]

    def u_fmv(self):
        r = self.r
        k = r.random()
        wd = 'w' if self.rv32 else 'wd'   # RV32 has no fmv.x.d / fmv.d.x
        if k < 0.25:
            return ['fmv.x.%s %s, %s' % (r.choice(wd), self.rd(), self.fr())]
        if k < 0.5:
            return ['fmv.%s.x %s, %s' % (r.choice(wd), self.fr(), self.rs())]
        # inject an edge value: li + fmv (single: boxed by fmv.w.x; double: raw; sometimes junk)
        t = XNAMES[r.choice(DEST)]
        if r.random() < 0.5 or self.rv32:
            return ['li %s, 0x%x' % (t, self.f32()), 'fmv.w.x %s, %s' % (self.fr(), t)]
        v = self.f64() if r.random() < 0.8 else self.fval()
        return ['li %s, 0x%x' % (t, v), 'fmv.d.x %s, %s' % (self.fr(), t)]

    def u_csr(self):
        r = self.r
        k = r.random()
        op = r.choice(['csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci'])
        imm = op.endswith('i')

        def src():
            return str(r.randrange(32)) if imm else self.rs()
        if k < 0.45:    # FP CSRs: any value (frm 5..7 then makes dynamic-rm instructions trap)
            csr = r.choice(['fflags', 'frm', 'fcsr'])
            if csr != 'fflags' and not imm:
                t = XNAMES[r.choice(DEST)]
                v = r.choice([0, 1, 2, 3, 4]) if r.random() < 0.85 else r.randrange(8)
                v = v if csr == 'frm' else (v << 5) | r.getrandbits(5)
                if r.random() < 0.2:
                    v |= r.getrandbits(self.xlen) & ~0xff
                return ['li %s, 0x%x' % (t, v), '%s %s, %s, %s' % (op, self.rd(), csr, t)]
            if csr != 'fflags' and imm:
                v = r.randrange(5) if csr == 'frm' else r.randrange(32)
                if op == 'csrrci' or (csr == 'frm' and op == 'csrrsi'):
                    op = 'csrrwi'
                return ['%s %s, %s, %d' % (op, self.rd(), csr, v)]
            return ['%s %s, %s, %s' % (op, self.rd(), csr, src())]
        if k < 0.65:    # scratch-like M/S CSRs: full read/write
            csr = r.choice(['mscratch', 'sscratch', 'mtval', 'stval', 'mcause',
                            'scause', 'stvec', 'mcounteren', 'scounteren'])
            if csr.endswith('counteren') and not imm:   # 32-bit CSRs; QEMU 7.2 keeps 64 bits (README)
                t = XNAMES[r.choice(DEST)]
                return ['li %s, 0x%x' % (t, self.ival() & 0xffffffff), '%s %s, %s, %s' % (op, self.rd(), csr, t)]
            return ['%s %s, %s, %s' % (op, self.rd(), csr, src())]
        if k < 0.75:    # xepc: QEMU 7.2 does not clear bit 0 on writes (README), so write even values
            csr = r.choice(['mepc', 'sepc'])   # (without C, QEMU 7.2 keeps bit 1 too: multiples of 4)
            align = 2 if 'c' in self.exts else 4
            if imm:
                return ['%s %s, %s, %d' % (op, self.rd(), csr, r.randrange(0, 32, align))]
            t = XNAMES[r.choice(DEST)]
            return ['li %s, 0x%x' % (t, self.ival() & ~(align - 1)), '%s %s, %s, %s' % (op, self.rd(), csr, t)]
        if k < 0.85:    # read-only / WARL; QEMU 7.2 lets VS/LCOF interrupt bits be set without H: mask
            csr = r.choice(['misa', 'mhartid', 'mie', 'mideleg', 'medeleg', 'mtvec'])
            # with H, mideleg's VS bits are read-only one (QEMU 7.2: zero until the first write,
            # then with SGEIP too, README): its value is compared without bits 2, 6, 10, 12
            d = self.rd()
            fix = ['andi %s, %s, 0x2aa' % (d, d)] if csr == 'mideleg' else []
            if r.random() < 0.5 and csr in ('mie', 'mideleg', 'medeleg'):
                t = XNAMES[r.choice(DEST)]
                mask = {'mie': 0xaaa, 'mideleg': 0xaaa, 'medeleg': 0xf3ff}[csr]   # bits 10, 11: VS, M ecall
                return ['li %s, 0x%x' % (t, self.ival() & mask),
                        '%s %s, %s, %s' % (r.choice(['csrrw', 'csrrs', 'csrrc']), d, csr, t)] + fix
            return ['csrrs %s, %s, x0' % (d, csr)] + fix
        if k < 0.9:     # write to read-only CSR: illegal instruction
            csr = r.choice(['mhartid', 'mvendorid', 'cycle', 'time', 'instret'])
            return ['csrrw %s, %s, %s' % (self.rd(), csr, self.rs())]
        if k < 0.95:    # satp (WARL, modes Bare/Sv39/Sv48, Sv32 on RV32; M mode does not translate)
            t = XNAMES[r.choice(DEST)]
            v = (r.choice([0, 8, 9, 1, 5]) << 60) | (r.getrandbits(16) << 44) | r.getrandbits(44)
            if self.rv32:
                v = r.getrandbits(32)
            return ['li %s, 0x%x' % (t, v), 'csrrw %s, satp, %s' % (self.rd(), t)]
        # mstatus / sstatus, safe bits only: SIE SPIE MPIE SPP MPP FS (FS=Off -> FP traps)
        t = XNAMES[r.choice(DEST)]
        csr = r.choice(['mstatus', 'sstatus'])
        bits = r.getrandbits(self.xlen) & (0x2 | 0x20 | 0x80 | 0x100 | 0x1800 | 0x6000)
        op = r.choice(['csrrs', 'csrrc', 'csrrw'])
        # MPP=2 is reserved; QEMU 7.2 keeps it (README). csrrw writes MPP in {0, 1, 3}; csrrs and
        # csrrc touch both MPP bits or neither, so they can only reach 0 or 3 (or keep it).
        if op == 'csrrw' and bits & 0x1800 == 0x1000:
            bits &= ~0x1000
        if op != 'csrrw' and bits & 0x1800 not in (0, 0x1800):
            bits |= 0x1800
        fs_off = (bits & 0x6000) == 0
        if csr == 'sstatus':
            bits &= 0x2 | 0x20 | 0x100 | 0x6000
        lines = ['li %s, 0x%x' % (t, bits), '%s %s, %s, %s' % (op, self.rd(), csr, t)]
        if fs_off or r.random() < 0.5:   # keep the FPU mostly on: turn it on again soon
            lines += self.u_fp3()
            lines += ['li %s, 0x%x' % (t, r.choice([0x2000, 0x4000, 0x6000])), 'csrrs %s, mstatus, %s' % (self.rd(), t)]
        return lines

    def u_sys(self):
        r = self.r
        return [r.choice(['ecall', 'ebreak', 'fence', 'fence rw, rw', 'fence r, w', 'fence iorw, iorw',
                          'fence.tso', 'fence.i', '.4byte 0x0100000f  # pause', 'sfence.vma',
                          'sfence.vma %s, %s' % (self.rs(), self.rs())])]

    def u_illegal(self):
        r = self.r
        rm = r.choice([5, 6])
        # without C a 16-bit word traps too, but the handler's mepc+2 would leave a misaligned pc
        return [r.choice([ln for ln in [
            '.2byte 0x0000  # c.illegal',
            '.4byte 0x0000000b  # custom-0',
            '.4byte 0x%08x  # fadd.s rm=%d (reserved)' % (0x00000053 | (rm << 12) | (r.randrange(32) << 7)
                                                           | (r.randrange(32) << 15) | (r.randrange(32) << 20), rm),
            '.4byte 0x%08x  # fadd.d rm=%d (reserved)' % (0x02000053 | (rm << 12), rm),
            '.4byte 0x30208073  # mret with rs1 != 0 (reserved)',
            '.2byte 0x%04x  # c.addi4spn imm=0 (reserved)' % (r.randrange(1, 8) << 2),
            '.2byte 0x6101  # c.addi16sp imm=0 (reserved)',
            '.2byte 0x%04x  # c.lui imm=0 (reserved)' % (0x6001 | (r.choice([5, 10, 12]) << 7)),
            '.2byte 0x4002  # c.lwsp rd=0 (reserved)',
            '.2byte 0x8002  # c.jr rs1=0 (reserved)',
            '.2byte 0x2001  # c.addiw rd=0 (reserved)',
            'unimp',
        ] if ('c' in self.exts or not ln.startswith('.2byte')) and not (self.rv32 and 'c.addiw' in ln)])]

    # ---- beyond RV64GC (drawn when the extension is on; a few also when it is off: they trap) ----
    def u_zba(self):
        r = self.r
        if r.random() < 0.2 and not self.rv32:
            return ['slli.uw %s, %s, %d' % (self.rd(), self.rs(), r.randrange(64))]
        op = r.choice(self.ops(['sh1add', 'sh2add', 'sh3add', 'add.uw', 'sh1add.uw', 'sh2add.uw', 'sh3add.uw']))
        return ['%s %s, %s, %s' % (op, self.rd(), self.rs(), self.rs())]

    def u_zbb(self):
        r = self.r
        k = r.random()
        if k < 0.4:
            op = r.choice(self.ops('andn orn xnor min max minu maxu rol ror rolw rorw'.split()))
            return ['%s %s, %s, %s' % (op, self.rd(), self.rs(), self.rs())]
        if k < 0.55 or (k < 0.65 and self.rv32):
            return ['rori %s, %s, %d' % (self.rd(), self.rs(), self.shamt())]
        if k < 0.65:
            return ['roriw %s, %s, %d' % (self.rd(), self.rs(), r.randrange(32))]
        op = r.choice(self.ops('clz ctz cpop clzw ctzw cpopw sext.b sext.h zext.h orc.b rev8'.split()))
        if op == 'ctzw':    # QEMU 7.2 counts into the upper half when the lower one is 0 (README)
            t = XNAMES[r.choice(DEST)]
            return ['ori %s, %s, %d' % (t, self.rs(), 1 << r.randrange(11)), 'ctzw %s, %s' % (self.rd(), t)]
        return ['%s %s, %s' % (op, self.rd(), self.rs())]

    def u_zbc(self):
        return ['%s %s, %s, %s' % (self.r.choice(['clmul', 'clmulh', 'clmulr']), self.rd(), self.rs(), self.rs())]

    def u_zbs(self):
        r = self.r
        op = r.choice(['bclr', 'bext', 'binv', 'bset'])
        if r.random() < 0.5:
            return ['%si %s, %s, %d' % (op, self.rd(), self.rs(), self.shamt())]
        return ['%s %s, %s, %s' % (op, self.rd(), self.rs(), self.rs())]

    def u_zbkb(self):
        r = self.r
        if r.random() < 0.25:
            return ['brev8 %s, %s' % (self.rd(), self.rs())]
        if self.rv32 and r.random() < 0.3:   # RV32 only
            return ['%s %s, %s' % (r.choice(['zip', 'unzip']), self.rd(), self.rs())]
        return ['%s %s, %s, %s' % (r.choice(self.ops(['pack', 'packh', 'packw'])), self.rd(), self.rs(), self.rs())]

    def u_zbkx(self):
        return ['%s %s, %s, %s' % (self.r.choice(['xperm4', 'xperm8']), self.rd(), self.rs(), self.rs())]

    def u_svinval(self):
        r = self.r
        return [r.choice(['sinval.vma %s, %s' % (self.rs(), self.rs()), 'sinval.vma x0, x0',
                          'sfence.w.inval', 'sfence.inval.ir'])]

    def u_hyp(self):
        # H from M mode: the h*/vs* CSRs whose values QEMU 7.2 keeps as the spec does (README),
        # hedeleg/hideleg's WARL masks, hstatus's writable bits, and the HFENCEs
        r = self.r
        t = XNAMES[r.choice(DEST)]
        k = r.random()
        op = r.choice(['csrrw', 'csrrs', 'csrrc'])
        if k < 0.35:
            csr = r.choice(['vsscratch', 'vstval', 'vscause', 'htval', 'htimedelta', 'mtval2'])
            return ['%s %s, %s, %s' % (op, self.rd(), csr, self.rs())]
        if k < 0.45:
            csr = r.choice(['vsepc', 'hcounteren'])
            v = self.ival() & (~1 if csr == 'vsepc' else 0xffffffff)
            return ['li %s, 0x%x' % (t, v), '%s %s, %s, %s' % (op, self.rd(), csr, t)]
        if k < 0.6:
            csr = r.choice(['hedeleg', 'hideleg'])
            return ['li %s, 0x%x' % (t, self.ival()), '%s %s, %s, %s' % (op, self.rd(), csr, t)]
        if k < 0.75:    # GVA SPV SPVP HU VTVM VTW VTSR; VSXL kept at 2 (64-bit)
            v = (self.ival() & 0x7003c0) | (2 << 32 if op == 'csrrw' else 0)
            if op == 'csrrc':
                v &= ~(3 << 32)
            return ['li %s, 0x%x' % (t, v), '%s %s, hstatus, %s' % (op, self.rd(), t)]
        if k < 0.8:
            return [r.choice(['hfence.vvma', 'hfence.gvma']) + ' %s, %s' % (self.rs(), self.rs())]
        # HLV/HSV as VS/VU (SPVP random above) with vsatp and hgatp Bare: the data area
        off = r.randrange(0, 1024, 8)
        if r.random() < 0.5:
            return ['addi %s, s0, %d' % (t, off),
                    '%s %s, (%s)' % (r.choice(['hlv.d', 'hlv.w', 'hlv.wu', 'hlv.h', 'hlv.hu', 'hlv.b',
                                               'hlv.bu', 'hlvx.hu', 'hlvx.wu']), self.rd(), t)]
        return ['addi %s, s0, %d' % (t, off),
                '%s %s, (%s)' % (r.choice(['hsv.d', 'hsv.w', 'hsv.h', 'hsv.b']), self.rs(), t)]

    def u_sstc(self):
        # M mode reads and writes stimecmp (no mcounteren/STCE needed); values far in the future,
        # so that no timer becomes due (QEMU 7.2 raises STIP even with STCE off: README)
        t = XNAMES[self.r.choice(DEST)]
        return ['li %s, 0x%x' % (t, self.r.getrandbits(62) | (1 << 62)),
                '%s %s, stimecmp, %s' % (self.r.choice(['csrrw', 'csrrs']), self.rd(), t)]

    def f16(self):
        """A binary16 edge or random value."""
        r = self.r
        if r.random() < 0.5:
            return r.choice(F16_EDGE) | (0x8000 if r.random() < 0.3 else 0)
        return r.getrandbits(16)

    def u_zfh(self):
        r = self.r
        k = r.random()
        fr, rm = self.fr, self.rm
        if k < 0.15 and self.rv32:     # RV32: fmv.h.x boxes it
            t = XNAMES[r.choice(DEST)]
            return ['li %s, 0x%x' % (t, self.f16()), 'fmv.h.x %s, %s' % (fr(), t)]
        if k < 0.15:     # inject a NaN-boxed half (or, rarely, an improperly boxed one)
            t = XNAMES[r.choice(DEST)]
            box = 0xffffffffffff0000 if r.random() < 0.9 else r.getrandbits(48) << 16
            return ['li %s, 0x%x' % (t, box | self.f16()), 'fmv.d.x %s, %s' % (fr(), t)]
        if k < 0.2:
            return ['fmv.h.x %s, %s' % (fr(), self.rs())]
        if k < 0.25:
            return ['fmv.x.h %s, %s' % (self.rd(), fr())]
        if k < 0.3:
            return ['flh %s, %s' % (fr(), self.mem(2))]
        if k < 0.35:
            return ['fsh %s, %s' % (fr(), self.mem(2))]
        if k < 0.5:
            return ['%s.h %s, %s, %s, %s' % (r.choice(F3), fr(), fr(), fr(), rm())]
        if k < 0.58:
            return ['%s.h %s, %s, %s, %s, %s' % (r.choice(F4), fr(), fr(), fr(), fr(), rm())]
        if k < 0.62:
            return ['fsqrt.h %s, %s, %s' % (fr(), fr(), rm())]
        if k < 0.7:
            return ['%s.h %s, %s, %s' % (r.choice(FSGN), fr(), fr(), fr())]
        if k < 0.76:
            return ['%s.h %s, %s, %s' % (r.choice(FCMP), self.rd(), fr(), fr())]
        if k < 0.79:
            return ['fclass.h %s, %s' % (self.rd(), fr())]
        ity = r.choice(['w', 'wu'] if self.rv32 else ['w', 'wu', 'l', 'lu'])
        if k < 0.86:
            return ['fcvt.%s.h %s, %s, %s' % (ity, self.rd(), fr(), rm())]
        if k < 0.92:
            return ['fcvt.h.%s %s, %s, %s' % (ity, fr(), self.rs(), rm())]
        w = r.choice('sd')
        if r.random() < 0.5:
            return ['fcvt.h.%s %s, %s, %s' % (w, fr(), fr(), rm())]
        if r.random() < 0.5:
            return ['fcvt.%s.h %s, %s' % (w, fr(), fr())]
        # exact widening: gas takes no rm, so encode one (rs2 = 2: from half)
        return ['.insn r 0x53, %d, 0x%x, f%d, f%d, f2' % (r.choice([0, 1, 2, 3, 4, 7]),
                                                         0x20 if w == 's' else 0x21,
                                                         r.randrange(32), r.randrange(32))]

    # ---- compressed ----
    def c(self, line):
        return '.option rvc\n\t%s\n\t.option norvc' % line

    def u_compressed(self):
        r = self.r
        rdc = lambda: XNAMES[r.choice(DEST_C)]
        rsc = lambda: XNAMES[r.choice(RS_C)]
        cb = lambda: r.choice(['s0', 's1'])
        nz = lambda lo, hi: r.choice([v for v in range(lo, hi) if v])
        k = r.randrange(27)
        if self.rv32:
            c32 = self.compressed32(k)
            if c32:
                return c32
        if k == 0:
            return [self.c('c.addi4spn %s, sp, %d' % (rdc(), 4 * r.randrange(1, 256)))]
        if k == 1:
            return [self.c('c.fld f%d, %d(%s)' % (r.randrange(8, 16), 8 * r.randrange(32), cb()))]
        if k == 2:
            return [self.c('c.lw %s, %d(%s)' % (rdc(), 4 * r.randrange(32), cb()))]
        if k == 3:
            return [self.c('c.ld %s, %d(%s)' % (rdc(), 8 * r.randrange(32), cb()))]
        if k == 4:
            return [self.c('c.fsd f%d, %d(%s)' % (r.randrange(8, 16), 8 * r.randrange(32), cb()))]
        if k == 5:
            return [self.c('c.sw %s, %d(%s)' % (rsc(), 4 * r.randrange(32), cb()))]
        if k == 6:
            return [self.c('c.sd %s, %d(%s)' % (rsc(), 8 * r.randrange(32), cb()))]
        if k == 7:
            return [self.c(r.choice(['c.nop', 'c.nop %d' % nz(-32, 32)]))]
        if k == 8:
            return [self.c('c.addi %s, %d' % (XNAMES[r.choice(DEST)], nz(-32, 32)))]
        if k == 9:
            return [self.c('c.addiw %s, %d' % (XNAMES[r.choice(DEST)], r.randrange(-32, 32)))]
        if k == 10:
            return [self.c('c.li %s, %d' % (XNAMES[r.choice(DEST)], r.randrange(-32, 32)))]
        if k == 11:     # move sp, use it, move it back
            d = 16 * nz(-31, 32)
            mid = [self.c('c.%s %s, %d(sp)' % (r.choice(['ldsp', 'lwsp']), XNAMES[r.choice(DEST)], 8 * r.randrange(32))),
                   self.c('c.sdsp %s, %d(sp)' % (self.rs(), 8 * r.randrange(64))),
                   self.c('c.fldsp %s, %d(sp)' % (self.fr(), 8 * r.randrange(64)))]
            return [self.c('c.addi16sp sp, %d' % d), r.choice(mid), self.c('c.addi16sp sp, %d' % -d)]
        if k == 12:
            v = r.choice(list(range(1, 32)) + list(range(0xfffe0, 0x100000)))
            return [self.c('c.lui %s, 0x%x' % (XNAMES[r.choice([d for d in DEST if d != 2])], v))]
        if k == 13:
            return [self.c('c.%s %s, %d' % (r.choice(['srli', 'srai']), rdc(), r.randrange(1, 64)))]
        if k == 14:
            return [self.c('c.andi %s, %d' % (rdc(), r.randrange(-32, 32)))]
        if k == 15:
            return [self.c('c.%s %s, %s' % (r.choice(['sub', 'xor', 'or', 'and', 'subw', 'addw']), rdc(), rsc()))]
        if k == 16:
            return [self.c('c.j {L%d}' % r.randrange(1, 8))]
        if k == 17:
            return [self.c('c.%s %s, {L%d}' % (r.choice(['beqz', 'bnez']), rsc(), r.randrange(1, 4)))]
        if k == 18:
            return [self.c('c.slli %s, %d' % (XNAMES[r.choice(DEST)], r.randrange(1, 64)))]
        if k == 19:
            return [self.c('c.fldsp %s, %d(sp)' % (self.fr(), 8 * r.randrange(64)))]
        if k == 20:
            return [self.c('c.lwsp %s, %d(sp)' % (XNAMES[r.choice(DEST)], 4 * r.randrange(64)))]
        if k == 21:
            return [self.c('c.ldsp %s, %d(sp)' % (XNAMES[r.choice(DEST)], 8 * r.randrange(64)))]
        if k == 22:
            t = XNAMES[r.choice(DEST)]
            return ['lla %s, {L%d}' % (t, r.randrange(1, 8)), self.c('c.%s %s' % (r.choice(['jr', 'jalr']), t))]
        if k == 23:
            return [self.c('c.%s %s, %s' % (r.choice(['mv', 'add']), XNAMES[r.choice(DEST)],
                                            XNAMES[r.randrange(1, 32)]))]
        if k == 24:
            return [self.c('c.ebreak')]
        if k == 25:
            return [self.c('c.fsdsp %s, %d(sp)' % (self.fr(), 8 * r.randrange(64)))]
        return [self.c('c.%s %s, %d(sp)' % (r.choice(['swsp', 'sdsp']), self.rs(), 8 * r.randrange(32)))]

    def compressed32(self, k):
        """RV32's forms where RV64 has others (c.jal, c.flw/c.fsw, word sp loads/stores, no W ops,
        shift amounts below 32); None where the RV64 unit is RV32's too."""
        r = self.r
        rdc = lambda: XNAMES[r.choice(DEST_C)]
        rsc = lambda: XNAMES[r.choice(RS_C)]
        cb = lambda: r.choice(['s0', 's1'])
        if k == 3:
            return [self.c('c.flw f%d, %d(%s)' % (r.randrange(8, 16), 4 * r.randrange(32), cb()))]
        if k == 6:
            return [self.c('c.fsw f%d, %d(%s)' % (r.randrange(8, 16), 4 * r.randrange(32), cb()))]
        if k == 9:
            return [self.c('c.jal {L%d}' % r.randrange(1, 8))]
        if k == 11:
            d = 16 * r.choice([v for v in range(-31, 32) if v])
            mid = [self.c('c.lwsp %s, %d(sp)' % (XNAMES[r.choice(DEST)], 4 * r.randrange(64))),
                   self.c('c.swsp %s, %d(sp)' % (self.rs(), 4 * r.randrange(64))),
                   self.c('c.flwsp %s, %d(sp)' % (self.fr(), 4 * r.randrange(64)))]
            return [self.c('c.addi16sp sp, %d' % d), r.choice(mid), self.c('c.addi16sp sp, %d' % -d)]
        if k == 13:
            return [self.c('c.%s %s, %d' % (r.choice(['srli', 'srai']), rdc(), r.randrange(1, 32)))]
        if k == 15:
            return [self.c('c.%s %s, %s' % (r.choice(['sub', 'xor', 'or', 'and']), rdc(), rsc()))]
        if k == 18:
            return [self.c('c.slli %s, %d' % (XNAMES[r.choice(DEST)], r.randrange(1, 32)))]
        if k == 21:
            return [self.c('c.flwsp %s, %d(sp)' % (self.fr(), 4 * r.randrange(64)))]
        if k == 26:
            if r.random() < 0.5:
                return [self.c('c.swsp %s, %d(sp)' % (self.rs(), 4 * r.randrange(64)))]
            return [self.c('c.fswsp %s, %d(sp)' % (self.fr(), 4 * r.randrange(64)))]
        return None

    UNITS = [('u_alu_rr', 14), ('u_alu_ri', 12), ('u_li', 3), ('u_load', 8), ('u_store', 7),
             ('u_branch', 5), ('u_jal', 2), ('u_jalr', 2), ('u_amo', 5), ('u_lrsc', 3),
             ('u_fp3', 9), ('u_fp4', 5), ('u_fp2', 7), ('u_fcvt', 8), ('u_fmv', 5), ('u_csr', 5),
             ('u_sys', 1.5), ('u_illegal', 1), ('u_compressed', 16)]

    # units that need an extension beyond the default ones: drawn when one of the extensions is
    # on; those in TRAP_WHEN_OFF also (rarely) when all are off, to check the illegal-instruction
    # trap (not C: its 16-bit words would leave a misaligned pc behind the handler's mepc + 2)
    UNIT_EXTS = {'u_compressed': ('c',), 'u_zba': ('zba',), 'u_zbb': ('zbb', 'zbkb'), 'u_zbc': ('zbc', 'zbkc'),
                 'u_zbs': ('zbs',), 'u_zbkb': ('zbkb',), 'u_zbkx': ('zbkx',), 'u_zfh': ('zfh',),
                 'u_svinval': ('svinval',), 'u_sstc': ('sstc',), 'u_hyp': ('h',)}
    RV64_UNITS = {'u_sstc', 'u_hyp'}   # 64-bit stimecmp values (RV32 would need stimecmph); H is RV64-only here
    EXT_UNITS = [('u_zba', 4), ('u_zbb', 6), ('u_zbc', 2), ('u_zbs', 4), ('u_zbkb', 3), ('u_zbkx', 2),
                 ('u_zfh', 10), ('u_svinval', 1), ('u_sstc', 1), ('u_hyp', 3)]
    TRAP_WHEN_OFF = 0.3

    def unit(self):
        units = []
        for n, w in self.UNITS + self.EXT_UNITS:
            if self.rv32 and n in self.RV64_UNITS:
                continue
            need = self.UNIT_EXTS.get(n, ('i',))
            if any(e in self.exts for e in need):
                units.append((n, w))
            elif n != 'u_compressed' and self.exts is not DEFAULT_EXTS:
                units.append((n, self.TRAP_WHEN_OFF))
        names = [n for n, _ in units]
        weights = [w for _, w in units]
        while True:
            u = getattr(self, self.r.choices(names, weights)[0])()
            if not self.avoid or not any(self.avoid.search(ln) for ln in u):
                return u

    def init_state(self):
        x = [self.ival() for _ in range(32)]
        f = [self.fval() for _ in range(32)]
        fcsr = self.r.randrange(5) << 5
        data = []
        for _ in range(DATA_SIZE // 8):
            k = self.r.random()
            if k < 0.4:
                data.append(self.f64())
            elif k < 0.7:
                data.append(self.f32() | (self.f32() << 32))
            else:
                data.append(self.ival())
        return x, f, fcsr, data


def generate(seed, nblocks, blen, fine=None, avoid=None, exts=None, xlen=64):
    """Return (assembly text, blocks) where blocks[b][u] is the list of lines of unit u.
    avoid: regex; units with a matching line are redrawn (to look past a known mismatch).
    exts: the extensions that are on (strata's names; None: DEFAULT_EXTS)."""
    g = Gen(seed, avoid, exts, xlen)
    x, f, fcsr, data = g.init_state()
    blocks = [[g.unit() for _ in range(blen)] for _ in range(nblocks)]
    out = ['# difftest program: seed %d, %d blocks of %d units%s' % (seed, nblocks, blen,
           '' if fine is None else ', fine dumps in block %d' % fine),
           '\t.option norvc', '\t.option norelax',
           # gcc 12 takes no svinval in -march; binutils 2.40 does, here
           '\t.option arch, +svinval', '\t.option arch, +h', '\t.text', '\t.globl dt_main', 'dt_main:']
    for b, units in enumerate(blocks):
        for u, lines in enumerate(units):
            out.append('b%du%d:' % (b, u))
            if fine == b:
                out.append('\tjal tp, dt_dump')
            for ln in lines:
                if '{L' in ln:
                    i = ln.index('{L')
                    j = ln.index('}', i)
                    ahead = int(ln[i + 2:j])
                    ln = ln[:i] + 'b%du%d' % (b, min(u + ahead, blen)) + ln[j + 1:]
                out.append('\t' + ln)
        out.append('b%du%d:' % (b, blen))
        out.append('\tjal tp, dt_dump')
    out += ['\tj dt_exit', '\t.globl dt_main_end', 'dt_main_end:', '',
            '\t.data', '\t.balign 8', '\t.globl dt_init', 'dt_init:']
    regs = {2: 'dt_data+%d' % SP_OFF, 3: '0', 4: 'dt_main', 8: 'dt_data+%d' % S0_OFF, 9: 'dt_data+%d' % S1_OFF}
    for i in range(32):   # RV32: the value in the slot's low word (symbols need a 32-bit reloc)
        out.append(('\t.word %s, 0' if xlen == 32 else '\t.dword %s') % regs.get(i, '0x%x' % (x[i] if i else 0)))
    for v in f:
        out.append('\t.dword 0x%x' % v)
    out.append('\t.dword 0x%x' % fcsr)
    out += ['\t.balign 4096', '\t.globl dt_data', 'dt_data:']
    for i in range(0, len(data), 4):
        out.append('\t.dword ' + ', '.join('0x%x' % v for v in data[i:i + 4]))
    return '\n'.join(out) + '\n', blocks


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--blocks', type=int, default=100)
    ap.add_argument('--block-len', type=int, default=30)
    ap.add_argument('--fine', type=int, help='dump before every unit of this block')
    ap.add_argument('--avoid', help='regex: redraw units with a matching line')
    ap.add_argument('--xlen', type=int, choices=(32, 64), default=64)
    ap.add_argument('-o', '--output', default='-')
    a = ap.parse_args()
    text, _ = generate(a.seed, a.blocks, a.block_len, a.fine, a.avoid, xlen=a.xlen)
    (sys.stdout if a.output == '-' else open(a.output, 'w')).write(text)


if __name__ == '__main__':
    main()

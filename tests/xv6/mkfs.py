#!/usr/bin/env python3
"""Build an xv6-riscv file system image: mkfs.py IMAGE FILE...

The xv6 tree in ../shared/ext has no mkfs/ directory, so its `make fs.img` cannot run. This
writes the same layout as xv6's own mkfs (kernel/fs.h: boot block, superblock, log, inodes,
bitmap, data): a root directory holding ".", ".." and each FILE under its base name without
the leading "_" (user/_ls -> ls). The layout constants come from the copy's kernel/param.h
and kernel/fs.h, so a changed FSSIZE or LOGSIZE is followed.
"""
import os
import re
import struct
import sys

NINODES = 200  # as xv6's mkfs
ROOTINO = 1
T_DIR, T_FILE = 1, 2
DINODE = struct.Struct("<hhhhI13I")  # type major minor nlink size addrs[NDIRECT+1]
DIRENT = struct.Struct("<H14s")
SUPER = struct.Struct("<8I")


def header_consts(path):
    """#define NAME <number or (A*B)> lines of a C header, evaluated with earlier ones."""
    consts = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"#define\s+(\w+)\s+([^/]+)", line)
            if not m:
                continue
            expr = m.group(2).strip()
            for k, v in consts.items():
                expr = re.sub(r"\b%s\b" % k, str(v), expr)
            if re.fullmatch(r"[0-9xX+*/() a-fA-F]+", expr):
                try:
                    consts[m.group(1)] = int(eval(expr, {}, {}))  # digits and operators only
                except (SyntaxError, ZeroDivisionError, NameError):
                    pass
    return consts


class Fs:
    def __init__(self, kdir):
        p = header_consts(os.path.join(kdir, "param.h"))
        f = header_consts(os.path.join(kdir, "fs.h"))
        self.bsize, self.ndirect, self.magic = f["BSIZE"], f["NDIRECT"], f["FSMAGIC"]
        self.size, nlog = p["FSSIZE"], p["LOGSIZE"]
        self.ipb = self.bsize // DINODE.size
        ninodeblocks = NINODES // self.ipb + 1
        nbitmap = self.size // (self.bsize * 8) + 1
        self.nmeta = 2 + nlog + ninodeblocks + nbitmap
        self.inodestart = 2 + nlog
        self.bmapstart = 2 + nlog + ninodeblocks
        self.img = bytearray(self.size * self.bsize)
        sb = SUPER.pack(self.magic, self.size, self.size - self.nmeta, NINODES, nlog, 2,
                        self.inodestart, self.bmapstart)
        self.img[self.bsize:self.bsize + SUPER.size] = sb
        self.freeblock = self.nmeta
        self.freeinode = 1

    def _ioff(self, inum):
        return (self.inodestart + inum // self.ipb) * self.bsize + (inum % self.ipb) * DINODE.size

    def rinode(self, inum):
        return list(DINODE.unpack_from(self.img, self._ioff(inum)))

    def winode(self, inum, din):
        DINODE.pack_into(self.img, self._ioff(inum), *din)

    def ialloc(self, itype):
        inum = self.freeinode
        self.freeinode += 1
        self.winode(inum, [itype, 0, 0, 1, 0] + [0] * (self.ndirect + 1))
        return inum

    def _alloc(self):
        if self.freeblock >= self.size:
            sys.exit("mkfs.py: the file system is full (FSSIZE %d blocks)" % self.size)
        b = self.freeblock
        self.freeblock += 1
        return b

    def iappend(self, inum, data):
        din = self.rinode(inum)
        off, pos, bs = din[4], 0, self.bsize
        addrs = din[5:]
        while pos < len(data):
            fbn = off // bs
            if fbn < self.ndirect:
                if addrs[fbn] == 0:
                    addrs[fbn] = self._alloc()
                blk = addrs[fbn]
            else:
                if fbn - self.ndirect >= bs // 4:
                    sys.exit("mkfs.py: file too large for xv6 (inode %d)" % inum)
                if addrs[self.ndirect] == 0:
                    addrs[self.ndirect] = self._alloc()
                ind = addrs[self.ndirect] * bs + 4 * (fbn - self.ndirect)
                blk = struct.unpack_from("<I", self.img, ind)[0]
                if blk == 0:
                    blk = self._alloc()
                    struct.pack_into("<I", self.img, ind, blk)
            n = min(len(data) - pos, (fbn + 1) * bs - off)
            start = blk * bs + off - fbn * bs
            self.img[start:start + n] = data[pos:pos + n]
            off += n
            pos += n
        din[4] = off
        din[5:] = addrs
        self.winode(inum, din)

    def dirent(self, dir_inum, inum, name):
        self.iappend(dir_inum, DIRENT.pack(inum, name.encode()))

    def finish(self, rootino):
        din = self.rinode(rootino)
        din[4] = (din[4] // self.bsize + 1) * self.bsize  # as xv6's mkfs: whole blocks
        self.winode(rootino, din)
        used = self.freeblock
        if used > self.bsize * 8:
            sys.exit("mkfs.py: more used blocks than one bitmap block covers")
        bm = self.bmapstart * self.bsize
        for b in range(used):
            self.img[bm + b // 8] |= 1 << (b % 8)


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: mkfs.py IMAGE FILE... (run in the xv6 tree: reads kernel/*.h)")
    fs = Fs("kernel")
    root = fs.ialloc(T_DIR)
    assert root == ROOTINO
    fs.dirent(root, root, ".")
    fs.dirent(root, root, "..")
    for path in argv[1:]:
        name = os.path.basename(path)
        if name.startswith("_"):
            name = name[1:]
        if len(name) > 14:
            sys.exit("mkfs.py: %s: name longer than DIRSIZ (14)" % path)
        inum = fs.ialloc(T_FILE)
        fs.dirent(root, inum, name)
        with open(path, "rb") as f:
            fs.iappend(inum, f.read())
    fs.finish(root)
    with open(argv[0], "wb") as f:
        f.write(fs.img)


if __name__ == "__main__":
    main(sys.argv[1:])

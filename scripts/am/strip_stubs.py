#!/usr/bin/env python3
"""Drop from abstract-machine's klib the functions strata's overlay defines.

AM ships klib's string, printf and malloc functions as `panic("Not implemented")` stubs for
students to write. scripts/am/build copies strata's own versions in as klib/src/strata_*.c;
this removes each function they define from the other klib/src/*.c files, so that each symbol
is defined once (the rest of those files, e.g. sscanf, stays).

usage: strip_stubs.py KLIB_SRC_DIR
"""
import pathlib
import re
import sys

DEF = re.compile(r'^[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\([^;{]*\)\s*\{', re.M)


def defined(text):
    return {m.group(1) for m in DEF.finditer(text)}


def strip(text, names):
    out, pos = [], 0
    for m in DEF.finditer(text):
        if m.group(1) not in names or m.start() < pos:
            continue
        end = text.find('\n}', m.end())
        if end < 0:
            sys.exit('strip_stubs: no end of %s' % m.group(1))
        out.append(text[pos:m.start()])
        pos = end + 2
    out.append(text[pos:])
    return ''.join(out)


def main():
    src = pathlib.Path(sys.argv[1])
    ours = set()
    for f in sorted(src.glob('strata_*.c')):
        ours |= defined(f.read_text())
    for f in sorted(src.glob('*.c')):
        if f.name.startswith('strata_'):
            continue
        text = f.read_text()
        new = strip(text, ours)
        if new != text:
            f.write_text(new)


main()

# tests/attach/async.gdb — the async pictures of e2e/attach_async at a stop, through strata's own
# stub or strata attach alike: monitor tasks, monitor await for task 1 (found as a task) and task
# 0 (named), and bad input. Writes the commands and their output (nothing else) to $PIC_OUT.
python
import os, re
pic = open(os.environ["PIC_OUT"], "a")
def mon(cmd):
    try:
        out = gdb.execute("monitor " + cmd, to_string=True)
    except gdb.error as e:
        out = "gdb error: %s\n" % e
    pic.write("== monitor %s\n%s" % (cmd, out))
    return out
tasks = mon("tasks")
trees = re.findall(r"await tree of task (\d+):\n  (\S+)  \? polls  .*  (0x[0-9a-f]+)\n", tasks)
if len(trees) < 2:
    pic.write("(fewer than 2 tasks)\n")
else:
    mon("await " + trees[1][2])
    mon("await %s %s" % (trees[0][2], trees[0][1]))
    # readable memory that holds no future of task 0's kind: bytes strata writes below sp
    scratch = (int(gdb.parse_and_eval("$sp")) - 0x800) & ~0xff
    gdb.selected_inferior().write_memory(scratch, b"\xee" * 256)
    mon("await 0x%x %s" % (scratch, trees[0][1]))
    mon("await 0x%x" % scratch)
    mon("await 0x0 %s" % trees[0][1])
    mon("await %s no::such::Future" % trees[0][2])
mon("await foo")
mon("await")
mon("await 1 2 3")
pic.close()
end

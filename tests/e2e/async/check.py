#!/usr/bin/env python3
"""Compare `strata tasks --json` with what the Rust guests do by construction.

usage: check.py exec|kernel NAME ROOT FILE.json  -> PASS/FAIL lines (tests/e2e/async.sh)

Every expected number below is derived from the guests' code in tests/guests/rust/README.md
("What each program does"); await points are the lines marked `// await: TAG` in the sources,
found here by searching for the marker, so editing a guest keeps the test honest.
"""
import json
import sys

kind, name, root, path = sys.argv[1:5]
failed = False


def check(what, ok, detail=""):
    global failed
    if ok:
        print(f"PASS async/{name}/{what}")
    else:
        failed = True
        print(f"FAIL async/{name}/{what}: {detail}")


def line_of(src, tag):
    with open(f"{root}/tests/guests/rust/{src}") as f:
        for n, line in enumerate(f, 1):
            if line.rstrip().endswith(f"// await: {tag}"):
                return f"{src}:{n}"
    raise SystemExit(f"no '// await: {tag}' in {src}")


def polls(task, seq):
    """seq: (from, to, result, at) with 'Suspend*' matching any SuspendN; xN repeats."""
    got = [(t["from"], t["to"], t["result"], t["at"]) for t in task["transitions"]]
    want = []
    for item in seq:
        n = item[4] if len(item) > 4 else 1
        want += [item[:4]] * n
    if len(got) != len(want):
        return False, f"{len(got)} polls, want {len(want)}: {got}"
    for g, w in zip(got, want):
        for gv, wv in zip(g, w):
            if wv == "Suspend*" and gv and gv.startswith("Suspend"):
                continue
            if gv != wv:
                return False, f"{g} != {w}"
    return True, ""


def tree_paths(node, prefix=()):
    """{(future, child, ...): polls} for every node of an await tree."""
    path = prefix + (node["future"],)
    out = {path: node["polls"]}
    for c in node["children"]:
        out.update(tree_paths(c, path))
    return out


try:
    with open(path) as f:
        d = json.load(f)
except (OSError, ValueError) as e:
    print(f"FAIL async/{name}/json: {e}")
    sys.exit(0)

tasks = d["tasks"]
wakes = {(w["from"], w["to"]): w["count"] for w in d["wakes"]}
aps = {(a["future"], a["at"]): a for a in d["await_points"]}

if kind == "exec":
    # tasks in the order the executor first polls them (index order, README "exec")
    futs = ["exec::consumer::{async_fn#0}", "exec::producer::{async_fn#0}",
            "exec::rust_main::{async_block#1}", "exec::rust_main::{async_block#2}"]
    check("task_count", len(tasks) == 4, f"{len(tasks)} tasks")
    if len(tasks) == 4:
        check("task_futures", [t["future"] for t in tasks] == futs,
              str([t["future"] for t in tasks]))
        # (polls, pending, ready)
        want = [(4, 3, 1), (4, 3, 1), (2, 1, 1), (3, 2, 1)]
        got = [(t["polls"], t["pending"], t["ready"]) for t in tasks]
        check("polls_pending_ready", got == want, f"{got}, want {want}")
        recv = line_of("exec.rs", "consumer recv")
        yld = line_of("exec.rs", "producer yield")
        nested = line_of("exec.rs", "nested level1")
        join = line_of("exec.rs", "joiner join")
        seqs = [
            [("Unresumed", "Suspend0", "Pending", recv), ("Suspend0", "Suspend0", "Pending", recv, 2),
             ("Suspend0", "Returned", "Ready", None)],
            # the send is always Ready at once: the producer only ever waits at its yield
            [("Unresumed", "Suspend*", "Pending", yld), ("Suspend*", "Suspend*", "Pending", yld, 2),
             ("Suspend*", "Returned", "Ready", None)],
            [("Unresumed", "Suspend0", "Pending", nested), ("Suspend0", "Returned", "Ready", None)],
            [("Unresumed", "Suspend0", "Pending", join), ("Suspend0", "Suspend0", "Pending", join),
             ("Suspend0", "Returned", "Ready", None)],
        ]
        for i, seq in enumerate(seqs):
            ok, why = polls(tasks[i], seq)
            check(f"task{i}_transitions", ok, why)
        # await trees; node poll counts where every nested future is pending in each poll it
        # takes part in (README: otherwise two futures at one address look like one)
        t0 = tree_paths(tasks[0]["tree"])
        check("task0_tree", set(t0) == {(futs[0],), (futs[0], "exec::Recv")}, str(set(t0)))
        t1 = tree_paths(tasks[1]["tree"])
        check("task1_tree", set(t1) == {(futs[1],), (futs[1], "exec::executor::YieldNow")},
              str(set(t1)))
        chain = (futs[2], "exec::level1::{async_fn#0}", "exec::level2::{async_fn#0}",
                 "exec::level3::{async_fn#0}", "exec::executor::YieldNow")
        want2 = {chain[:k]: 2 for k in range(1, 6)}
        t2 = tree_paths(tasks[2]["tree"])
        check("task2_tree_3_deep", t2 == want2, f"{t2}")
        # the join's type names its futures: before rustc 1.67 they are GenFuture wrappers
        c163 = "core::future::from_generator::GenFuture<exec::count::{async_fn_env#0}>"
        j = (f"exec::Join<{c163}, {c163}>" if "163-" in name else
             "exec::Join<exec::count::{async_fn_env#0}, exec::count::{async_fn_env#0}>")
        t3 = tree_paths(tasks[3]["tree"])
        c = (futs[3], j, "exec::count::{async_fn#0}")
        check("task3_tree", set(t3) == {c[:1], c[:2], c, c + ("exec::executor::YieldNow",)},
              str(set(t3)))
        check("task3_join_polls", t3.get(c[:2]) == 3 and t3.get(c) == 5,
              f"join {t3.get(c[:2])} (want 3), count {t3.get(c)} (want 2 + 3)")
        # wakes: the producer's sends wake the consumer; yields wake their own task
        want_w = {("task 1", 0): 3, ("task 1", 1): 3, ("task 2", 2): 1, ("task 3", 3): 3}
        check("wake_edges", wakes == want_w, f"{wakes}")
        check("waker_clones", [t["waker_clones"] for t in tasks] == [3, 0, 0, 0],
              str([t["waker_clones"] for t in tasks]))
        check("waker_drops", [t["waker_drops"] for t in tasks] == [4, 4, 2, 3],
              str([t["waker_drops"] for t in tasks]))
        check("final_states", all(t["final_state"] == "Returned" for t in tasks),
              str([t["final_state"] for t in tasks]))
        got_ap = {k: a["n"] for k, a in aps.items()}
        want_ap = {(futs[0], recv): 3, (futs[1], yld): 3, (futs[2], nested): 1,
                   (futs[3], join): 2}
        check("await_point_waits", got_ap == want_ap, f"{got_ap}")
elif kind == "kernel":
    futs = ["kernel::rust_main::{async_block#0}", "kernel::rust_main::{async_block#1}"]
    check("task_count", len(tasks) == 2, f"{len(tasks)} tasks")
    if len(tasks) == 2:
        check("task_futures", [t["future"] for t in tasks] == futs,
              str([t["future"] for t in tasks]))
        want = [(3, 2, 1), (4, 3, 1)]
        got = [(t["polls"], t["pending"], t["ready"]) for t in tasks]
        check("polls_pending_ready", got == want, f"{got}, want {want}")
        sl = line_of("kernel.rs", "sleeper sleep")
        wy = line_of("kernel.rs", "worker yield")
        ok, why = polls(tasks[0], [("Unresumed", "Suspend0", "Pending", sl),
                                   ("Suspend0", "Suspend0", "Pending", sl),
                                   ("Suspend0", "Returned", "Ready", None)])
        check("sleeper_transitions", ok, why)
        ok, why = polls(tasks[1], [("Unresumed", "Suspend0", "Pending", wy),
                                   ("Suspend0", "Suspend0", "Pending", wy, 2),
                                   ("Suspend0", "Returned", "Ready", None)])
        check("worker_transitions", ok, why)
        t0 = tree_paths(tasks[0]["tree"])
        check("sleeper_tree", set(t0) == {(futs[0],), (futs[0], "kernel::Sleep")}, str(t0))
        t1 = tree_paths(tasks[1]["tree"])
        check("worker_tree", set(t1) == {(futs[1],), (futs[1], "kernel::executor::YieldNow")},
              str(t1))
        # the S timer interrupt handler wakes the sleeper twice; the worker wakes itself
        want_w = {("irq s_timer (S)", 0): 2, ("task 1", 1): 3}
        check("wake_edges_irq_to_task", wakes == want_w, f"{wakes}")
        check("waker_clones", [t["waker_clones"] for t in tasks] == [2, 0],
              str([t["waker_clones"] for t in tasks]))
        # each sleep is 100000 timer ticks = 1000000 instructions (mtime = instructions / 10)
        a = aps.get((futs[0], sl))
        check("sleep_wait", a is not None and a["n"] == 2 and 990000 <= a["min"] and
              a["max"] < 1010000, str(a))
print(f"# {name}: {'failed' if failed else 'ok'}")

# tasks.awk — `strata tasks` text output of a native trace, reduced to what a fixture does by
# construction (tests/e2e/ebpf_async.sh): only tasks whose future is the fixture's own
# (name matching pat, e.g. "_exact::"), without addresses, task numbers (tasks are numbered
# in order of first poll, which depends on scheduling), times and histograms. Wakes are
# written by task name, "(runtime)" when the waker was called outside the fixture's tasks;
# wakes of wakers that are no task's (block_on's parker) are left out. The await tree of
# async-std's block_on future (the executor's run future, or futures_lite's Or around it) holds
# the executor's own futures, polled as often as scheduling has it: left out. Output is sorted
# by the caller.
function fixture(n) { return n ~ pat }
/^TASK +POLLS/ { table = 1; print "header " $5; next }
table && /^ *[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ / {
	n = $0; for (i = 1; i <= 8; i++) sub(/^ *[^ ]+/, "", n); sub(/^ +/, "", n)
	name[$1] = n
	if (fixture(n)) print "task " n " polls=" $2 " pending=" $3 " ready=" $4 " final=" $8
	next
}
/^$/ { table = 0; sect = "" }
/^task [0-9]+: / { cur = $2; sub(/:$/, "", cur); sect = "task"; next }
sect == "task" && /^  polls:/ { sub_ = "polls"; next }
sect == "task" && /^  await tree:/ { sub_ = "tree"; next }
sect == "task" && /^  waker / { sub_ = ""; next }
sect == "task" && sub_ != "" && fixture(name[cur]) &&
    !(sub_ == "tree" && name[cur] ~ /^(async_executor::[{]impl#9[}]::run|futures_lite::future::Or)/) {
	l = $0; sub(/^    /, "", l); gsub(/  +/, " ", l)
	print name[cur] " " sub_ ": " l
	next
}
/^wakes:/ { sect = "wakes"; next }
sect == "wakes" && /->/ {
	split($0, p, " -> "); from = p[1]; sub(/^ +/, "", from); sub(/ +$/, "", from)
	to = p[2]; sub(/ +x[0-9]+$/, "", to); sub(/ +$/, "", to)
	cnt = $NF; sub(/^x/, "", cnt)
	if (to !~ /^task /) next
	sub(/^task /, "", to); to = name[to]
	if (!fixture(to)) next
	if (from ~ /^task /) { sub(/^task /, "", from); from = name[from] }
	if (!fixture(from)) from = "(runtime)"
	w[from " -> " to] += cnt
	next
}
/^await points/ { sect = "await"; next }
sect == "await" && /^  [^ ]/ && fixture($0) {
	l = $0; sub(/^  /, "", l); sub(/ min=.*/, "", l)
	print "wait " l
}
END { for (k in w) print "wake " k " x" w[k] }

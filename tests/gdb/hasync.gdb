# The Rust async kernel at S (OpenSBI) or in VS (tests/guests/hshim): e2e/hasync.sh
# the worker's first poll, the timer interrupt's wake of the sleeper, the sleep's end
monitor break-on poll 1
continue
printf "priv %d\n", $priv
monitor break-on off
monitor break-on wake 0
continue
printf "priv %d\n", $priv
bt 1
monitor break-on off
monitor break-on ready Sleep
continue
printf "priv %d\n", $priv
monitor break-on off
monitor info
continue

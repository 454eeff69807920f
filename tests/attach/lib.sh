# tests/attach/lib.sh — helpers shared by tests/e2e/attach.sh and attach_x86.sh (sourced; the
# caller sets $suite, the prefix of its PASS/FAIL check names)

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_listen PORT: up to 10 s for a TCP listener (without connecting: QEMU takes one client)
wait_listen() {
	for _ in $(seq 100); do ss -ltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done
	return 1
}
# after MARKER FILE: the lines after "CHECK-MARKER" up to the next CHECK- line
after() {
	awk -v m="CHECK-$1" '{ sub(/ +$/, "") } $0 == m { on = 1; next } /^CHECK-/ { on = 0 } on' "$2"
}
# expect NAME FILE MARKER REGEX...: every REGEX appears in the lines after the marker
expect() {
	local name=$1 file=$2 marker=$3 re
	shift 3
	for re in "$@"; do
		if ! after "$marker" "$file" | grep -Eq -- "$re"; then
			echo "FAIL $suite/$name: no '$re' after CHECK-$marker:"
			after "$marker" "$file" | head -n 12 | sed 's/^/  | /'
			return 1
		fi
	done
	echo "PASS $suite/$name"
}

#!/bin/bash
# gen_funcs.sh N OUT.c — a C program with N distinct noipa functions f0..f{N-1}; `prog [ROUNDS]`
# calls each of them once per round (1 round by default).
n=$1
{
	echo '#include <stdio.h>'
	echo '#include <stdlib.h>'
	for ((i = 0; i < n; i++)); do
		echo "__attribute__((noipa)) int f$i(int x) { return x + $i; }"
	done
	echo 'int main(int argc, char **argv) { long s = 0; int rounds = argc > 1 ? atoi(argv[1]) : 1;'
	echo 'for (int r = 0; r < rounds; r++) {'
	for ((i = 0; i < n; i++)); do echo "s += f$i($i);"; done
	echo '}'
	echo 'printf("%ld\n", s); return 0; }'
} >"$2"

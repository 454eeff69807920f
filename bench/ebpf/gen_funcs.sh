#!/bin/bash
# gen_funcs.sh N OUT.c — a C program with N distinct noipa functions f0..f{N-1}, each called once.
n=$1
{
	echo '#include <stdio.h>'
	for ((i = 0; i < n; i++)); do
		echo "__attribute__((noipa)) int f$i(int x) { return x + $i; }"
	done
	echo 'int main(void) { long s = 0;'
	for ((i = 0; i < n; i++)); do echo "s += f$i($i);"; done
	echo 'printf("%ld\n", s); return 0; }'
} >"$2"

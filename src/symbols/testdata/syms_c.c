/* Test data for symtab_test.c: C functions as a compiler emits them (STT_FUNC with sizes), a
 * static function (local binding), and an alias (two global names, one address). */
int helper_add(int a, int b)
{
	return a + b;
}

static __attribute__((noinline)) int twice(int x)
{
	return helper_add(x, x);
}

int real_entry(int x)
{
	return twice(x) + 1;
}

int entry_alias(int x) __attribute__((alias("real_entry")));

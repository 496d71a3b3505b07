/* Does not compile: the test expects clang's file:line: error line in the failure. */
int broken(void *ctx)
{
	return undeclared_variable;
}

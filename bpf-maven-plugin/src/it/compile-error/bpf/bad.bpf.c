int bad(void *ctx)
{
	return missing_symbol;
}

/* Writes one struct shapes and one struct key, laid out by gcc for the host, to argv[1]. */
#include <stdio.h>
#include <string.h>
#include "shapes.h"

int main(int argc, char **argv)
{
	struct shapes s;
	struct key k;

	if (argc != 2)
		return 2;
	memset(&s, 0, sizeof(s));
	memset(&k, 0, sizeof(k));
	s.u8v = 200;
	s.s8v = -100;
	s.u16v = 60000;
	s.s16v = -30000;
	s.u32v = 4000000000u;
	s.s32v = -2000000000;
	s.u64v = 0xF000000000000001ull;
	s.s64v = -9000000000000000000ll;
	s.flag = 1;
	strcpy(s.name, "hello");
	s.raw[0] = 1; s.raw[1] = 2; s.raw[2] = 250;
	s.ports[0] = 1; s.ports[1] = 65535; s.ports[2] = 443;
	s.grid[0][0] = 1; s.grid[0][1] = -2; s.grid[0][2] = 3;
	s.grid[1][0] = -4; s.grid[1][1] = 5; s.grid[1][2] = -6;
	strcpy(s.names[0], "ab");
	strcpy(s.names[1], "cdef");
	s.in.a = 65000; s.in.b = -7;
	s.ins[0].a = 1; s.ins[0].b = -1;
	s.ins[1].a = 2; s.ins[1].b = -2;
	s.num.as_u32 = 0xDEADBEEFu;
	s.color = BLUE;
	s.wide = WIDE_HUGE;
	s.neg = NEG_MINUS;
	s.mode = MODE_ON;
	s.bf_a = 5;
	s.bf_b = 300;
	s.bf_c = -9;
	s.bf_d = 0xABCDEF1234ull;
	s.bf_e = 1;
	s.f = 1.5f;
	s.d = -2.25;
	*(u32 *)&s.cv = 77;
	s.point.x = 3; s.point.y = 4;
	s.pos.lat = -10; s.pos.lon = 20;
	s.id = 0x01020304u;
	s.uptr = (u32 *)0x1122334455667788ull;
	k.id = 42;
	strcpy(k.comm, "curl");

	FILE *f = fopen(argv[1], "wb");
	if (!f || fwrite(&s, sizeof(s), 1, f) != 1 || fwrite(&k, sizeof(k), 1, f) != 1 || fclose(f) != 0)
		return 1;
	return 0;
}

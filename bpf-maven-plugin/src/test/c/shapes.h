/* Every struct shape the generator supports; compiled by clang (BPF, BTF) and gcc (round-trip writer). */
#ifndef SHAPES_H
#define SHAPES_H

typedef unsigned char u8;
typedef signed char s8;
typedef unsigned short u16;
typedef short s16;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;

#ifdef __clang__
#define TYPE_TAG(x) __attribute__((btf_type_tag(x)))
#define DECL_TAG(x) __attribute__((btf_decl_tag(x)))
#else
#define TYPE_TAG(x)
#define DECL_TAG(x)
#endif

enum color { RED = 0, GREEN = 1, BLUE = 7 };
enum wide { WIDE_SMALL = 1, WIDE_HUGE = 0x100000000ULL };
enum neg { NEG_MINUS = -5, NEG_PLUS = 3 };
typedef enum { MODE_OFF = 0, MODE_ON = 2 } mode_t_;

struct inner {
	u16 a;
	s8 b;
};

union num {
	u32 as_u32;
	u8 bytes[4];
};

typedef struct {
	u16 x;
	u16 y;
} point_t;

struct shapes {
	u8 u8v;
	s8 s8v;
	u16 u16v;
	s16 s16v;
	u32 u32v;
	s32 s32v;
	u64 u64v;
	s64 s64v;
	_Bool flag;
	char name[12];
	u8 raw[3];
	u16 ports[3];
	s32 grid[2][3];
	char names[2][5];
	struct inner in;
	struct inner ins[2];
	union num num;
	enum color color;
	enum wide wide;
	enum neg neg;
	mode_t_ mode;
	u32 bf_a : 3;
	u32 bf_b : 9;
	s32 bf_c : 5;
	u64 bf_d : 40;
	_Bool bf_e : 1;
	float f;
	double d;
	const volatile u32 cv DECL_TAG("member_tag");
	point_t point;
	struct {
		s16 lat;
		s16 lon;
	} pos;
	union {
		u32 id;
		u8 idb[4];
	};
	u32 TYPE_TAG("user") *uptr;
} DECL_TAG("export");

struct key {
	u32 id;
	char comm[8];
};

#endif

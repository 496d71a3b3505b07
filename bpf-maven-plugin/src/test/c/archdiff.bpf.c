/* A struct whose layout depends on the target arch: generation must refuse it. */
struct per_arch {
	unsigned int id;
#ifdef __TARGET_ARCH_arm64
	unsigned int arm_only;
#endif
	unsigned long long value;
};

struct per_arch sample __attribute__((section(".data"), used));

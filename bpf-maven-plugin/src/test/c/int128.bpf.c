/* A configured type with a member the generator cannot map (128-bit integer). */
struct wide_counter {
	unsigned int id;
	unsigned __int128 total;
};

struct wide_counter last __attribute__((section(".data"), used));

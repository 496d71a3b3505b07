#ifndef SAMPLE_H
#define SAMPLE_H

struct sample_event {
	unsigned int pid;
	unsigned short port;
	char comm[16];
};

struct sample_key {
	unsigned long long cookie;
};

#endif

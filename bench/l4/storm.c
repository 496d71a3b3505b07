// Loopback connect storm for the L4 benchmark: a listener on ADDR:PORT that accepts and closes, and
// THREADS client threads that each make N blocking connects. Clients close with SO_LINGER 0 (RST) so
// 200k+ connects do not run out of ephemeral ports in TIME_WAIT. Prints made connects and the
// client threads' CPU time (user+sys of this process, including the accept thread).
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in target;
static long per_thread;
static long made[64];

static void *acceptor(void *arg) {
	int ls = *(int *)arg;
	for (;;) {
		int c = accept(ls, NULL, NULL);
		if (c >= 0) close(c);
	}
	return NULL;
}

static void *client(void *arg) {
	long idx = (long)arg;
	struct linger lg = {1, 0};
	for (long i = 0; i < per_thread; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0) { perror("socket"); exit(1); }
		if (connect(s, (struct sockaddr *)&target, sizeof(target)) == 0) made[idx]++;
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	return NULL;
}

int main(int argc, char **argv) {
	if (argc != 5) { fprintf(stderr, "usage: storm ADDR PORT THREADS CONNECTS_PER_THREAD\n"); return 2; }
	int threads = atoi(argv[3]);
	per_thread = atol(argv[4]);
	if (threads < 1 || threads > 64) { fprintf(stderr, "storm: THREADS must be 1..64\n"); return 2; }
	memset(&target, 0, sizeof(target));
	target.sin_family = AF_INET;
	target.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) { fprintf(stderr, "storm: bad ADDR\n"); return 2; }

	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&target, sizeof(target)) || listen(ls, 4096)) { perror("listen"); return 1; }
	pthread_t acc, cl[64];
	pthread_create(&acc, NULL, acceptor, &ls);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < threads; i++) pthread_create(&cl[i], NULL, client, (void *)i);
	long total = 0;
	for (int i = 0; i < threads; i++) { pthread_join(cl[i], NULL); total += made[i]; }
	clock_gettime(CLOCK_MONOTONIC, &t1);

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("made=%ld wall=%.3f cpu=%.3f\n", total, wall, cpu);
	return 0;
}

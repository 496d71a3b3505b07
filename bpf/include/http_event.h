/* Structs shared by http.bpf.c and the agent (Java records are generated from their BTF). */
#ifndef HTTP_EVENT_H
#define HTTP_EVENT_H

#include "task_comm.h"

/* Bytes of each receive copied into an event: a request line plus the first headers. */
#define HTTP_CAPTURE_LEN 256

/* http_event.flags */
#define HTTP_FLAG_REQUEST_START 1 /* data starts with an HTTP method token ("GET ", "POST ", ...) */
/* Without REQUEST_START the receive continues a connection that already carried a request start:
 * body bytes, the rest of a split header, or the next request of a pipelined batch. */

/* Indexes of the per-CPU `stats` array of http.bpf.c. */
#define HTTP_STAT_LOST 0 /* ring buffer full: event dropped */
#define HTTP_STAT_MAX 1

/*
 * One receive on a TCP socket that carries inbound HTTP/1.x requests (server side). Addresses are as
 * in connect_event: 16 bytes, network order, IPv4 and v4-mapped IPv6 both family 4 in the first 4
 * bytes. No implicit padding: the layout is the same in C and in the generated record.
 */
struct http_event {
	__u64 conn_id;          /* the kernel socket's address: same value for every receive on a connection */
	__u8 local_addr[16];    /* the server's address */
	__u8 remote_addr[16];   /* the client's address */
	__u16 local_port;       /* host order */
	__u16 remote_port;      /* host order */
	__u8 family;            /* 4 or 6 */
	__u8 flags;             /* HTTP_FLAG_* */
	__u16 captured;         /* valid bytes in data (<= HTTP_CAPTURE_LEN) */
	__u32 seq;              /* events sent for this connection so far, this one included (see http_repeats.h) */
	__s32 bytes;            /* bytes this receive returned (may exceed captured) */
	char comm[COMM_LEN];    /* process name: the thread-group leader's comm */
	__u8 data[HTTP_CAPTURE_LEN]; /* first bytes received */
};

/*
 * Kernel-side counting of a repeated request (http_repeats.h): one element of the mmapped repeat_arms
 * array. The agent arms a connection whose last read was one whole request, byte for byte the same as
 * the read before it; while armed, every read with exactly those bytes is counted here instead of
 * being sent.
 */
struct repeat_arm {
	__u64 conn_id;          /* the armed connection; 0: none. Published by the agent, cleared by either side */
	__u64 requests;         /* repeats counted since the agent armed it */
	__u32 seq;              /* http_event.seq of the last event the agent had seen: any later event disarms */
	__u16 local_port;       /* the connection's ports, host order (as in http_event), so a socket */
	__u16 remote_port;      /* address reused by another connection is not taken for it */
	__u32 len;              /* the request's bytes: a whole read, <= HTTP_CAPTURE_LEN */
	__u32 mark;             /* 0 from the agent; the kernel's fd + 1 once it checked the seq (http_repeats.h) */
	__u8 data[HTTP_CAPTURE_LEN];
};

#endif

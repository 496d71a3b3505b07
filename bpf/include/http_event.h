/* Structs shared by http.bpf.c and the agent (the agent's layouts are generated from their BTF). */
#ifndef HTTP_EVENT_H
#define HTTP_EVENT_H

#include "inet_addr.h"
#include "task_comm.h"

/* Bytes of each receive copied into an event: a request line plus the first headers. */
#define HTTP_CAPTURE_LEN 256
/*
 * Bytes of a receive copied while a TLS ClientHello is being read: room for the hellos of clients with
 * post-quantum key shares (over 1.2 KB), which may put the server name after them. Such an event is
 * reserved longer than sizeof(struct http_event), its data running on; only those receives pay for it.
 */
#define TLS_CAPTURE_LEN 4096

/* Bytes of a response's first send copied: its status line up to the code ("HTTP/1.1 200 "). */
#define RESPONSE_CAPTURE_LEN 16

/* What an event's data holds; the agent reads it through the CaptureKind enum generated from this. */
enum capture_kind : __u8 {
	CAPTURE_HTTP = 0,      /* a receive on an inbound HTTP/1.x connection */
	CAPTURE_TLS_HELLO = 1, /* a receive of an accepted connection's first TLS record (its ClientHello) */
	CAPTURE_RESPONSE = 2,  /* a send on an inbound HTTP/1.x connection that starts a status line */
	CAPTURE_H2_SEND = 3,   /* one buffer of a send on an inbound HTTP/2 connection: the server's frames */
};

/*
 * One receive on a TCP socket that carries inbound HTTP requests or a TLS ClientHello, or one send of a
 * response on such a connection (server side; HTTP/2: one event per buffer of the send). Addresses are as
 * in connect_event: 16 bytes, network order, IPv4 and v4-mapped IPv6 both family 4 in the first 4
 * bytes. No implicit padding: the layout is the same in C and in the generated record.
 */
struct http_event {
	__u64 conn_id;          /* the kernel socket's address: same value for every receive on a connection */
	__u64 ktime;            /* bpf_ktime_get_ns() when the hook ran: a receive's return, a send's start or end */
	__u8 local_addr[16];    /* the server's address */
	__u8 remote_addr[16];   /* the client's address */
	__u16 local_port;       /* host order */
	__u16 remote_port;      /* host order */
	__s32 bytes;            /* bytes this receive returned (may exceed captured); CAPTURE_H2_SEND: the
				   buffer's bytes, the send's last event also the rest of the send
				   (0x7fffffff: unknown) */
	__u16 captured;         /* valid bytes in data (<= HTTP_CAPTURE_LEN; TLS_CAPTURE_LEN for a TLS hello, an
				   HTTP/2 receive or send; RESPONSE_CAPTURE_LEN for a response) */
	enum addr_family family;
	enum capture_kind kind;
	__u8 pad[4];
	char comm[COMM_LEN];    /* process name: the thread-group leader's comm */
	__u8 data[HTTP_CAPTURE_LEN]; /* first bytes received (or sent) */
};

#endif

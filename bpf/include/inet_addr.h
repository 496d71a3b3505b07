/*
 * How events carry IP addresses: 16 bytes in network order plus a family of 4 or 6. IPv4 and
 * v4-mapped IPv6 (::ffff:a.b.c.d, what dual-stack sockets such as every Java socket use for IPv4
 * peers) are both family 4 with the address in the first 4 bytes, so the agent sees one form.
 */
#ifndef INET_ADDR_H
#define INET_ADDR_H

/* Address families are #defines in the kernel, so BTF (and vmlinux.h) does not have them. */
#define AF_INET 2
#define AF_INET6 10

/* An event's family field; the agent reads it through the AddrFamily enum generated from this. */
enum addr_family : __u8 {
	FAMILY_V4 = 4,
	FAMILY_V6 = 6,
};

static __always_inline enum addr_family store_addr4(__u8 dst[16], __be32 addr)
{
	__builtin_memset(dst, 0, 16);
	__builtin_memcpy(dst, &addr, 4);
	return FAMILY_V4;
}

/* addr: the IPv6 address as 4 network-order words. Returns the family it was stored as. */
static __always_inline enum addr_family store_addr6(__u8 dst[16], const __be32 addr[4])
{
	if (addr[0] == 0 && addr[1] == 0 && addr[2] == bpf_htonl(0x0000ffff))
		return store_addr4(dst, addr[3]);
	__builtin_memcpy(dst, addr, 16);
	return FAMILY_V6;
}

#endif

/*
 * ft_cryptopan.h - prefix-preserving address anonymisation (Crypto-PAn,
 * Xu, Fan, Ammar and Moon, 2002), as flow-tools' `ip-address-anonymize`
 * xlate actions do it, with AES-128 from nettle.
 *
 * A 32-byte key: its first 16 bytes are the AES key, its last 16 bytes,
 * encrypted once, the pad.  Bit i of the one-time pad XORed into an address
 * is the first bit of AES(the address's first i bits followed by the pad's
 * remaining bits), so two addresses that share exactly their first k bits
 * map to two that share exactly their first k bits.  IPv4 runs this over 32
 * bits (the published construction; the original's outputs); IPv6 over the
 * 128 bits of the address, the same construction widened.
 */
#ifndef FT_CRYPTOPAN_H
#define FT_CRYPTOPAN_H

#include <stdint.h>
#include "core/ft_err.h"
#include "core/ft_flow.h"

#define FT_CRYPTOPAN_KEY_SIZE 32

struct ft_cryptopan;

/* A context for key (FT_CRYPTOPAN_KEY_SIZE bytes); NULL with err filled
 * when out of memory. */
struct ft_cryptopan *ft_cryptopan_new(const uint8_t key[FT_CRYPTOPAN_KEY_SIZE],
                                      struct ft_err *err);
void ft_cryptopan_free(struct ft_cryptopan *cp);

/* The anonymised form of an IPv4 address in host order. */
uint32_t ft_cryptopan_v4(const struct ft_cryptopan *cp, uint32_t addr);

/* The anonymised form of an IPv6 address (16 bytes, network order), in out
 * (which may be addr). */
void ft_cryptopan_v6(const struct ft_cryptopan *cp, const uint8_t addr[16], uint8_t out[16]);

/* Either family, in place. */
void ft_cryptopan_ip(const struct ft_cryptopan *cp, struct ft_ip *a);

#endif

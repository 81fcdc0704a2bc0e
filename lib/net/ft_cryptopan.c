/*
 * ft_cryptopan.c - Crypto-PAn over nettle's AES-128 (see ft_cryptopan.h).
 * The cipher is nettle's: this file only builds the blocks it encrypts.
 */
#include <stdlib.h>
#include <string.h>
#include <nettle/aes.h>
#include "net/ft_cryptopan.h"

struct ft_cryptopan {
    struct aes128_ctx aes;
    uint8_t pad[AES_BLOCK_SIZE];   /* AES of the key's second half */
};

struct ft_cryptopan *ft_cryptopan_new(const uint8_t key[FT_CRYPTOPAN_KEY_SIZE],
                                      struct ft_err *err)
{
    struct ft_cryptopan *cp = calloc(1, sizeof *cp);
    if (!cp) {
        ft_err_set(err, "cryptopan: out of memory");
        return NULL;
    }
    aes128_set_encrypt_key(&cp->aes, key);
    aes128_encrypt(&cp->aes, AES_BLOCK_SIZE, cp->pad, key + 16);
    return cp;
}

void ft_cryptopan_free(struct ft_cryptopan *cp)
{
    if (cp) {
        memset(cp, 0, sizeof *cp);  /* the key schedule is the secret */
        free(cp);
    }
}

/*
 * The one-time pad of an address of `bits` bits (32 or 128) held in the
 * first bytes of addr: bit i is the first bit of the encryption of a block
 * whose first i bits are the address's and whose other bits are the pad's.
 */
static void one_time_pad(const struct ft_cryptopan *cp, const uint8_t *addr, unsigned bits,
                         uint8_t *otp)
{
    uint8_t in[AES_BLOCK_SIZE], out[AES_BLOCK_SIZE];
    memcpy(in, cp->pad, sizeof in);
    memset(otp, 0, bits / 8);
    for (unsigned i = 0; i < bits; i++) {
        if (i > 0) {
            /* bit i-1 of the block now comes from the address */
            unsigned byte = (i - 1) / 8;
            uint8_t m = (uint8_t)(0x80u >> ((i - 1) % 8));
            in[byte] = (uint8_t)((in[byte] & ~m) | (addr[byte] & m));
        }
        aes128_encrypt(&cp->aes, AES_BLOCK_SIZE, out, in);
        otp[i / 8] |= (uint8_t)((out[0] >> 7) << (7 - i % 8));
    }
}

uint32_t ft_cryptopan_v4(const struct ft_cryptopan *cp, uint32_t addr)
{
    uint8_t a[4] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
                    (uint8_t)addr};
    uint8_t otp[4];
    one_time_pad(cp, a, 32, otp);
    uint32_t pad = (uint32_t)otp[0] << 24 | (uint32_t)otp[1] << 16 | (uint32_t)otp[2] << 8 | otp[3];
    return addr ^ pad;
}

void ft_cryptopan_v6(const struct ft_cryptopan *cp, const uint8_t addr[16], uint8_t out[16])
{
    uint8_t otp[16];
    one_time_pad(cp, addr, 128, otp);
    for (int i = 0; i < 16; i++)
        out[i] = addr[i] ^ otp[i];
}

void ft_cryptopan_ip(const struct ft_cryptopan *cp, struct ft_ip *a)
{
    if (a->af == FT_AF_INET)
        a->v4 = ft_cryptopan_v4(cp, a->v4);
    else if (a->af == FT_AF_INET6)
        ft_cryptopan_v6(cp, a->v6, a->v6);
}

/*
 * test_mask.c - the mask language (lib/lang/ft_mask.h): accept/reject table
 * with the exact messages, longest-prefix lengths for IPv4 and IPv6, and
 * sides a format lacks left alone.
 */
#include <arpa/inet.h>
#include "ft_test.h"
#include "lang/ft_mask.h"

static struct ft_mask *parse(const char *text, struct ft_err *err)
{
    return ft_mask_parse(text, strlen(text), "m.cfg", NULL, err);
}

static const char *const accepted[] = {
    "mask-definition a\n prefix 10.0.0.0/8 16\n",
    "MASK-DEFINITION a\n PREFIX 128.146/16 24\n prefix 128.146.1/24 32\n",
    "# comment\n\nmask-definition a\nmask-definition b\n prefix 0.0.0.0/0 0\n",
    "mask-definition v6\n prefix 2001:db8::/32 48\n prefix 10/8 8\n",
};

static const struct { const char *text, *msg; } refused[] = {
    {"prefix 10/8 8\n", "m.cfg line 1: prefix outside a mask-definition"},
    {"mask-definition\n", "m.cfg line 1: mask-definition: missing name"},
    {"mask-definition a b\n", "m.cfg line 1: mask-definition: b"},
    {"mask-definition a\nmask-definition A\n", "m.cfg line 2: A: defined twice"},
    {"mask-definition a\n prefix 10/8\n", "m.cfg line 2: prefix: expecting PREFIX NEWLEN"},
    {"mask-definition a\n prefix 10/8 8 9\n", "m.cfg line 2: prefix: 9"},
    {"mask-definition a\n prefix 10.x/8 8\n", "m.cfg line 2: bad prefix \"10.x/8\""},
    {"mask-definition a\n prefix 10/8 33\n", "m.cfg line 2: bad length \"33\""},
    {"mask-definition a\n prefix 10/8 -1\n", "m.cfg line 2: bad length \"-1\""},
    {"mask-definition a\n prefix 2001:db8::/32 129\n", "m.cfg line 2: bad length \"129\""},
    {"mask-definition a\n prefix 10/8 8x\n", "m.cfg line 2: bad length \"8x\""},
    {"mask-definition a\n netmask 10/8 8\n", "m.cfg line 2: unknown statement \"netmask\""},
};

static void test_tables(void)
{
    struct ft_err err;
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        struct ft_mask *m = parse(accepted[i], &err);
        CHECK(m != NULL, "accepted[%zu] refused: %s", i, err.msg);
        ft_mask_free(m);
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        err.msg[0] = '\0';
        struct ft_mask *m = parse(refused[i].text, &err);
        CHECK(!m, "refused[%zu] accepted", i);
        CHECK_EQ_S(err.msg, refused[i].msg, "message");
        ft_mask_free(m);
    }
}

static void test_apply(void)
{
    struct ft_err err;
    const char *text = "mask-definition d\n prefix 128.146/16 24\n prefix 128.146.1/24 32\n"
                       " prefix 2001:db8::/32 48\n prefix 2001:db8:1::/48 64\n";
    struct ft_mask *m = parse(text, &err);
    CHECK(m != NULL, "parse: %s", err.msg);
    if (!m)
        return;
    const struct ft_mask_def *d = ft_mask_find(m, "D");
    CHECK(d != NULL, "find is case-insensitive");
    struct ft_flow f[3];
    memset(f, 0, sizeof f);
    ft_ip_set4(&f[0].srcaddr, 0x80920105);      /* 128.146.1.5: the /24 wins */
    ft_ip_set4(&f[0].dstaddr, 0x80920205);      /* 128.146.2.5: the /16 */
    ft_ip_set4(&f[1].srcaddr, 0x0A000001);      /* no prefix: kept */
    ft_ip_set4(&f[1].dstaddr, 0x0A000001);
    f[1].src_mask = 9;
    f[1].dst_mask = 10;
    f[2].srcaddr.af = f[2].dstaddr.af = FT_AF_INET6;
    inet_pton(AF_INET6, "2001:db8:1::5", f[2].srcaddr.v6);
    inet_pton(AF_INET6, "2001:db8:2::5", f[2].dstaddr.v6);
    ft_mask_apply(d, f, 3);
    CHECK(f[0].src_mask == 32 && f[0].dst_mask == 24, "longest prefix: %u %u", f[0].src_mask,
          f[0].dst_mask);
    CHECK(f[1].src_mask == 9 && f[1].dst_mask == 10, "uncovered flows keep their masks");
    CHECK(f[2].src_mask == 64 && f[2].dst_mask == 48, "IPv6: %u %u", f[2].src_mask,
          f[2].dst_mask);
    /* a format without the destination mask leaves that side alone */
    f[0].src_mask = f[0].dst_mask = 1;
    ft_mask_apply_fields(d, FT_F_SRCADDR | FT_F_DSTADDR | FT_F_SRC_MASK, f, 1);
    CHECK(f[0].src_mask == 32 && f[0].dst_mask == 1, "only the source side");
    ft_mask_free(m);
}

int main(void)
{
    test_tables();
    test_apply();
    return ft_test_report("test_mask");
}

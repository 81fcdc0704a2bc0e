/*
 * test_resolve.c - host names in configs go through one replaceable
 * resolver (net/ft_resolve.h): the filter, tag and mask languages use the
 * one their options pass, a lookup that takes too long is abandoned at its
 * bound with a message naming the name, the config's file and line, and
 * exporter settings never look names up.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ft_test.h"
#include "net/ft_resolve.h"
#include "net/ft_addrspec.h"
#include "lang/ft_filter.h"
#include "lang/ft_tag.h"
#include "lang/ft_mask.h"
#include "pdu/ft_exporters.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A resolver that knows one name and counts its calls. */
static int calls;
static int one_name(void *ctx, const char *name, struct ft_ip *ip, struct ft_err *err)
{
    (void)ctx;
    calls++;
    if (strcmp(name, "router1") != 0)
        return ft_err_set(err, "cannot resolve \"%s\": unknown here", name);
    ft_ip_set4(ip, 0x0a010203);
    return 0;
}

/* A lookup slower than any bound the tests set. */
static int slow(void *ctx, const char *name, struct ft_ip *ip, struct ft_err *err)
{
    (void)ctx;
    (void)name;
    sleep(2);
    ft_ip_set4(ip, 0x01020304);
    return 0;
}

/* The slow lookup behind a bound of 200 ms, as a resolver. */
static int slow_bounded(void *ctx, const char *name, struct ft_ip *ip, struct ft_err *err)
{
    return ft_resolve_bounded(slow, ctx, name, 200, ip, err);
}

static void test_names(void)
{
    CHECK(ft_resolve_is_name("router1"), "a word with letters");
    CHECK(!ft_resolve_is_name("10.1.2.3"), "digits");
    CHECK(!ft_resolve_is_name("2001:db8::a"), "IPv6 holds letters, is no name");
    struct ft_ip ip;
    struct ft_err err;
    struct ft_resolver r = {.fn = ft_resolve_none};
    CHECK(ft_ip_parse_r("router1", &r, &ip, &err) < 0 && strstr(err.msg, "router1"),
          "none resolves nothing: %s", err.msg);
    CHECK(ft_ip_parse_r("10.1", &r, &ip, &err) == 0 && ip.v4 == 0x0a010000,
          "numbers need no resolver");
}

static void test_bound(void)
{
    struct ft_ip ip;
    struct ft_err err = {{0}};
    double t0 = now_s();
    int rc = ft_resolve_bounded(slow, NULL, "slow.example", 200, &ip, &err);
    double took = now_s() - t0;
    CHECK(rc < 0, "a lookup past its bound fails");
    CHECK(took < 1.0, "and returns at the bound: %.3f s", took);
    CHECK(strstr(err.msg, "slow.example") && strstr(err.msg, "200 ms"), "says so: %s", err.msg);
    rc = ft_resolve_bounded(one_name, NULL, "router1", 2000, &ip, &err);
    CHECK(rc == 0 && ip.af == FT_AF_INET && ip.v4 == 0x0a010203, "an answer in time is kept");
    rc = ft_resolve_bounded(one_name, NULL, "other", 2000, &ip, &err);
    CHECK(rc < 0 && strstr(err.msg, "unknown here"), "a lookup's own error: %s", err.msg);
}

static const char filter_cfg[] =
    "filter-primitive routers\n"
    "  type ip-address\n"
    "  permit router1\n"
    "filter-definition from-router\n"
    "  match ip-source-address routers\n";

static void test_filter(void)
{
    struct ft_resolver r = {.fn = one_name};
    struct ft_filter_opts o = {.symdir = "/nonexistent", .resolver = &r};
    struct ft_err err = {{0}};
    calls = 0;
    struct ft_filter *f = ft_filter_parse(filter_cfg, strlen(filter_cfg), "f.cfg", &o, &err);
    CHECK(f != NULL, "filter with the caller's resolver: %s", err.msg);
    CHECK_EQ_U(calls, 1, "the caller's resolver was asked");
    if (f) {
        struct ft_flow fl;
        memset(&fl, 0, sizeof fl);
        fl.has = ~0ull;
        ft_ip_set4(&fl.srcaddr, 0x0a010203);
        CHECK(ft_filter_match(ft_filter_find(f, "from-router"), &fl) == 1,
              "its address is the one matched");
        ft_filter_free(f);
    }
    struct ft_resolver none = {.fn = ft_resolve_none};
    o.resolver = &none;
    CHECK(!ft_filter_parse(filter_cfg, strlen(filter_cfg), "f.cfg", &o, &err) &&
          strstr(err.msg, "f.cfg line 3") && strstr(err.msg, "router1") &&
          strstr(err.msg, "not resolved"), "no resolution: a clear error: %s", err.msg);
    /* a name nobody answers for in time: the load ends at the bound */
    struct ft_resolver bounded = {.fn = slow_bounded};
    o.resolver = &bounded;
    double t0 = now_s();
    f = ft_filter_parse(filter_cfg, strlen(filter_cfg), "f.cfg", &o, &err);
    double took = now_s() - t0;
    CHECK(!f && strstr(err.msg, "f.cfg line 3") && strstr(err.msg, "within 200 ms"),
          "unanswered name: %s", err.msg);
    CHECK(took < 1.0, "loaded (and refused) within the bound: %.3f s", took);
    ft_filter_free(f);
}

/* The default resolver with a name that cannot exist (RFC 6761): an error
 * naming it, within the default bound, whatever DNS does here. */
static void test_default(void)
{
    static const char cfg[] = "filter-primitive p\n  type ip-address\n"
                              "  permit nosuchhost.invalid\n";
    struct ft_filter_opts o = {.symdir = "/nonexistent"};
    struct ft_err err = {{0}};
    double t0 = now_s();
    struct ft_filter *f = ft_filter_parse(cfg, strlen(cfg), "d.cfg", &o, &err);
    double took = now_s() - t0;
    CHECK(!f && strstr(err.msg, "d.cfg line 3") && strstr(err.msg, "nosuchhost.invalid") &&
          strstr(err.msg, "cannot resolve"), "unresolvable: %s", err.msg);
    CHECK(took < FT_RESOLVE_TIMEOUT_MS / 1000.0 + 1.0, "within the default bound: %.3f s",
          took);
    ft_filter_free(f);
}

static void test_tag_mask_exporters(void)
{
    static const char tag_cfg[] = "tag-action a\n  type src-prefix\n  match router1 set-src 7\n"
                                  "tag-definition d\n  term\n    action a\n";
    static const char mask_cfg[] = "mask-definition m\n  prefix router1 24\n";
    struct ft_resolver r = {.fn = one_name};
    struct ft_tag_opts to = {.resolver = &r};
    struct ft_err err = {{0}};
    calls = 0;
    struct ft_tag *t = ft_tag_parse(tag_cfg, strlen(tag_cfg), "t.cfg", &to, &err);
    CHECK(t && calls == 1, "tag: the caller's resolver (%d calls): %s", calls, err.msg);
    ft_tag_free(t);
    struct ft_resolver none = {.fn = ft_resolve_none};
    to.resolver = &none;
    CHECK(!ft_tag_parse(tag_cfg, strlen(tag_cfg), "t.cfg", &to, &err) &&
          strstr(err.msg, "t.cfg line 3") && strstr(err.msg, "router1"),
          "tag: no resolution: %s", err.msg);
    struct ft_mask *m = ft_mask_parse_r(mask_cfg, strlen(mask_cfg), "m.cfg", NULL, &r, &err);
    CHECK(m && calls == 2, "mask: the caller's resolver: %s", err.msg);
    ft_mask_free(m);
    CHECK(!ft_mask_parse_r(mask_cfg, strlen(mask_cfg), "m.cfg", NULL, &none, &err) &&
          strstr(err.msg, "m.cfg line 2") && strstr(err.msg, "router1"),
          "mask: no resolution: %s", err.msg);
    /* exporter settings take numbers only: a name is refused, not looked up */
    double t0 = now_s();
    struct ft_exporters *x = ft_exporters_parse("x.conf", "exporter 1nosuchhost.invalid sampling 10\n",
                                                0, &err);
    CHECK(!x && strstr(err.msg, "x.conf") && strstr(err.msg, "1nosuchhost.invalid"),
          "exporters: a name is no address: %s", err.msg);
    CHECK(now_s() - t0 < 0.5, "and costs no lookup");
    ft_exporters_free(x);
}

int main(void)
{
    test_names();
    test_bound();
    test_filter();
    test_default();
    test_tag_mask_exporters();
    return ft_test_report("test_resolve");
}

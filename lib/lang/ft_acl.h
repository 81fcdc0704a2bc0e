/*
 * ft_acl.h - Cisco-style IP access lists (flow-filter's ACL file) and the
 * criteria flow-filter builds from them and from its value lists.
 *
 * The file language, one statement a line ('!' starts a comment):
 *
 *   ip access-list standard NAME [permit|deny ADDRESS]
 *   ip access-list extended NAME [permit|deny PROTOCOL SRC [PORTS] DST [PORTS] [established]]
 *   access-list NUMBER permit|deny ...     (1-99, 1300-1999 standard;
 *                                           100-199, 2000-2699 extended)
 *   permit|deny ...                        (inside the last ip access-list NAME)
 *   remark TEXT
 *
 * ADDRESS is `any`, `host A.B.C.D`, `A.B.C.D` or `A.B.C.D WILDCARD` (a set
 * bit of the wildcard is a bit that may differ); extended entries need the
 * wildcard.  PROTOCOL is `ip` (any), a name (icmp, tcp, udp, ...) or a
 * number; PORTS (tcp and udp only) is `eq N`, `neq N`, `lt N`, `gt N` or
 * `range N M`.  Lines naming the same list add to it; a list is read top
 * down, the first entry that matches decides, and a flow no entry matches
 * is denied.  Errors are "FILE line N: "TOKEN": why".
 *
 * Parsed by a bison grammar (ft_acl_gram.y) over a flex scanner
 * (ft_acl_scan.l), both reentrant; lines come from lang/ft_cfg.
 */
#ifndef FT_ACL_H
#define FT_ACL_H

#include <stddef.h>
#include <stdint.h>
#include "core/ft_err.h"
#include "core/ft_flow.h"

#define FT_ACL_MAX_LISTS 10000u
#define FT_ACL_MAX_ENTRIES 100000u      /* entries of one list */
#define FT_ACL_MAX_FILE (64u * 1024u * 1024u)
#define FT_ACL_MAX_NAME 63u             /* characters of a list name */

struct ft_acl_set;              /* the lists of one file */
struct ft_acl;                  /* one list */

/* The lists of the file at path; NULL with err set ("FILE line N: ..."). */
struct ft_acl_set *ft_acl_load(const char *path, struct ft_err *err);

/*
 * The lists of len bytes at buf (need not be NUL-terminated), named name
 * in messages.  Any bytes at all give a set or an error, never a crash:
 * the fuzzing entry point.
 */
struct ft_acl_set *ft_acl_parse_buffer(const char *buf, size_t len, const char *name,
                                       struct ft_err *err);
void ft_acl_free(struct ft_acl_set *s);

/* The list called name ("campus", "10"), or NULL. */
const struct ft_acl *ft_acl_find(const struct ft_acl_set *s, const char *name);
size_t ft_acl_count(const struct ft_acl_set *s);
int ft_acl_is_extended(const struct ft_acl *a);
size_t ft_acl_entries(const struct ft_acl *a);

/* A standard list's verdict on one address: 1 permit, 0 deny.  IPv4
 * entries match IPv4 addresses; `any` matches every address. */
int ft_acl_permits_addr(const struct ft_acl *a, const struct ft_ip *ip);
/* An extended list's verdict on a flow (addresses, protocol, ports, TCP
 * flags for `established`): 1 permit, 0 deny. */
int ft_acl_permits_flow(const struct ft_acl *a, const struct ft_flow *f);

/*
 * flow-filter's criteria: each is a test of one field of the field table,
 * and a flow passes when all of them pass (or, with `any`, when one does;
 * no criterion at all passes every flow).  As in flow-tools, a TCP flags
 * list tests TCP flows only: for other flows it does not apply, failing
 * nothing and passing nothing.
 */
struct ft_acl_filter;

struct ft_acl_filter *ft_acl_filter_new(int any);
void ft_acl_filter_free(struct ft_acl_filter *f);

/*
 * A value list of a numeric field: comma-separated numbers (decimal, 0x
 * hex, 0 octal) and ranges a-b, a leading '!' inverting the whole list;
 * with allow_mask, "LIST/MASK" ANDs the field with MASK before the look-up
 * (-t, -T).  Values beyond the field's width are refused.  -1 with err.
 */
int ft_acl_filter_list(struct ft_acl_filter *f, int field, const char *arg, int allow_mask,
                       struct ft_err *err);
/* A standard list tested on an address field (-S, -D, -x); -1 with err
 * when the list is an extended one. */
int ft_acl_filter_addr(struct ft_acl_filter *f, int field, const struct ft_acl *acl,
                       struct ft_err *err);
/* An extended list tested on the whole flow (-E); -1 with err when the
 * list is a standard one. */
int ft_acl_filter_flow(struct ft_acl_filter *f, const struct ft_acl *acl, struct ft_err *err);
/* One address an address field must equal (-e); -1 with err when arg is
 * no address. */
int ft_acl_filter_equal(struct ft_acl_filter *f, int field, const char *arg,
                        struct ft_err *err);

/* The FT_F_* bits of the fields the criteria read. */
uint64_t ft_acl_filter_fields(const struct ft_acl_filter *f);
int ft_acl_filter_match(const struct ft_acl_filter *f, const struct ft_flow *flow);
/* keep[i] = verdict on flows[i]; returns how many are kept. */
size_t ft_acl_filter_batch(const struct ft_acl_filter *f, const struct ft_flow *flows, size_t n,
                           uint8_t *keep);

#endif

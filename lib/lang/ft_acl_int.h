/*
 * ft_acl_int.h - what the ACL grammar, its scanner and ft_acl.c share.
 * Private to ftlib.
 */
#ifndef FT_ACL_INT_H
#define FT_ACL_INT_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include "core/ft_err.h"
#include "lang/ft_acl.h"

/* One address test: (address & care) == value; `any` entries also match
 * addresses that are not IPv4. */
struct ft_acl_addr {
    uint32_t value, care;
    uint8_t any;
};

/* Ports lo..hi, or outside them when `outside` (neq). */
struct ft_acl_ports {
    uint16_t lo, hi;
    uint8_t outside;
};

struct ft_acl_entry {
    uint8_t permit;
    uint8_t any_proto;          /* extended `ip` */
    uint8_t proto;
    uint8_t established;        /* tcp flags ACK or RST */
    uint8_t has_ports;          /* a port test on either side */
    struct ft_acl_addr src, dst;        /* a standard entry uses src */
    struct ft_acl_ports sport, dport;
};

struct ft_acl {
    char name[FT_ACL_MAX_NAME + 1];
    int extended;
    struct ft_acl_entry *e;
    size_t n, cap;
};

struct ft_acl_set {
    struct ft_acl *acl;
    size_t n, cap;
};

/* A token's text and value as the scanner hands it to the grammar. */
#define FT_ACL_TOKEN_TEXT 64
struct ft_acl_tok {
    char text[FT_ACL_TOKEN_TEXT];       /* cut to fit; messages only */
    size_t len;                         /* the whole token's length */
    uint64_t num;                       /* NUMBER: its value (saturated) */
    uint32_t addr;                      /* ADDRESS: host order */
    int bad;                            /* ADDRESS with a part over 255 */
};

/* A line of the file (ft_cfg: comments dropped, CRLF read as LF). */
struct ft_acl_line {
    char *text;
    size_t len;
    unsigned lineno;
};

/* The parse: lines to scan, where the scanner is, the list being built. */
struct ft_acl_parse {
    const char *file;
    struct ft_acl_line *lines;
    size_t nlines, cap;
    size_t next;                /* the next line to hand the scanner */
    unsigned lineno;            /* the line being scanned */
    int in_line;                /* the scanner holds a line's buffer */
    void *scanner;              /* yyscan_t */
    void *buffer;               /* YY_BUFFER_STATE of the line */
    struct ft_acl_set *set;
    struct ft_acl *block;       /* the list of the last `ip access-list NAME` */
    struct ft_err *err;
    int failed;                 /* err holds the message */
    struct ft_acl_tok last;     /* the last token read: the one a syntax error is at */
    int last_eol;               /* ... which was the end of a line */
    jmp_buf *fatal;             /* where a scanner that cannot go on (memory) returns */
};

/* The grammar's entry (ft_acl_gram.y): 0, or -1 with p->err set. */
int ft_acl_run_parser(struct ft_acl_parse *p);
/* "FILE line N: "TOKEN": why" into p->err (t NULL: no token); always -1. */
int ft_acl_fail(struct ft_acl_parse *p, const struct ft_acl_tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The list called name in p->set, made (empty, of the given kind) when
 * missing; NULL after ft_acl_fail when it exists with the other kind or
 * the set is full. */
struct ft_acl *ft_acl_list_get(struct ft_acl_parse *p, const struct ft_acl_tok *name,
                               int extended);
/* Append e to a; -1 after ft_acl_fail (t names the line) when a is full. */
int ft_acl_list_add(struct ft_acl_parse *p, struct ft_acl *a, const struct ft_acl_entry *e,
                    const struct ft_acl_tok *t);
/* A protocol name's number (icmp 1, tcp 6, udp 17, ...), or -1. */
int ft_acl_proto_by_name(const char *name);

/* The scanner (ft_acl_scan.l): made and destroyed around a parse (0, or -1
 * with p->err set when memory runs out). */
int ft_acl_scan_init(struct ft_acl_parse *p);
void ft_acl_scan_destroy(struct ft_acl_parse *p);

#endif

/*
 * ft_acl_gram.y - the grammar of flow-filter's ACL file (see ft_acl.h).
 *
 * A pure parser over the reentrant scanner of ft_acl_scan.l: every bit of
 * state is in struct ft_acl_parse, handed in as a parameter.  The scanner
 * gives one line at a time and an end-of-line token after each, so every
 * statement ends with EOL and a message names the line of its token.
 */
%define api.pure full
%define api.prefix {ft_acl_yy}
%define parse.error custom
%parse-param {struct ft_acl_parse *p}
%lex-param {struct ft_acl_parse *p}

%code requires {
#include "lang/ft_acl_int.h"

/* An entry as the grammar builds it: the entry, its kind, and the token
 * after the action word (what a kind mismatch is reported at). */
struct ft_acl_rule {
    struct ft_acl_entry e;
    int extended;
    struct ft_acl_tok at;
};

/* One side's ports: given or not, and the operator word for messages. */
struct ft_acl_portspec {
    struct ft_acl_ports ports;
    int given;
    struct ft_acl_tok op;
};
}

%code provides {
int ft_acl_yylex(FT_ACL_YYSTYPE *lval, struct ft_acl_parse *p);
}

%code {
#include <stdio.h>
#include <string.h>

/* A whole address test from a value and a wildcard (set bits may differ). */
static struct ft_acl_addr addr_test(uint32_t value, uint32_t wildcard)
{
    struct ft_acl_addr a = {value & ~wildcard, ~wildcard, 0};
    return a;
}

static int check_address(struct ft_acl_parse *p, const struct ft_acl_tok *t)
{
    return t->bad ? ft_acl_fail(p, t, "bad address") : 0;
}

static int check_number(struct ft_acl_parse *p, const struct ft_acl_tok *t, uint64_t max,
                        const char *what)
{
    if (t->num > max)
        return ft_acl_fail(p, t, "%s out of range 0-%llu", what, (unsigned long long)max);
    return 0;
}

/* The kind of a numbered list: 0 standard, 1 extended, -1 neither. */
static int numbered_kind(uint64_t n)
{
    if ((n >= 1 && n <= 99) || (n >= 1300 && n <= 1999))
        return 0;
    if ((n >= 100 && n <= 199) || (n >= 2000 && n <= 2699))
        return 1;
    return -1;
}

/* Add rule r to list a, whose kind must be the rule's. */
static int add_rule(struct ft_acl_parse *p, struct ft_acl *a, const struct ft_acl_rule *r)
{
    if (r->extended != a->extended)
        return ft_acl_fail(p, &r->at, "%s entry in %s list \"%s\"",
                           r->extended ? "extended" : "standard",
                           a->extended ? "extended" : "standard", a->name);
    return ft_acl_list_add(p, a, &r->e, &r->at);
}

/* Ports are for tcp and udp only, established for tcp only. */
static int check_ports(struct ft_acl_parse *p, const struct ft_acl_rule *r,
                       const struct ft_acl_portspec *s, const struct ft_acl_portspec *d)
{
    int tcp_udp = !r->e.any_proto && (r->e.proto == 6 || r->e.proto == 17);
    if (s->given && !tcp_udp)
        return ft_acl_fail(p, &s->op, "ports need protocol tcp or udp");
    if (d->given && !tcp_udp)
        return ft_acl_fail(p, &d->op, "ports need protocol tcp or udp");
    return 0;
}

/* Bison's own messages (its stack ran out of memory). */
static void ft_acl_yyerror(struct ft_acl_parse *p, const char *msg)
{
    ft_acl_fail(p, NULL, "%s", msg);
}

static int ft_acl_yylex_(FT_ACL_YYSTYPE *lval, struct ft_acl_parse *p);
#define ft_acl_yylex ft_acl_yylex_
}

%union {
    struct ft_acl_tok tok;
    struct ft_acl_addr addr;
    struct ft_acl_portspec ports;
    struct ft_acl_rule rule;
    struct ft_acl *acl;
    int num;
}

%token <tok> IP "ip" ACCESS_LIST "access-list" STANDARD "standard" EXTENDED "extended"
%token <tok> PERMIT "permit" DENY "deny" HOST "host" ANY "any"
%token <tok> EQ "eq" NEQ "neq" LT "lt" GT "gt" RANGE "range" ESTABLISHED "established"
%token <tok> REMARK "remark"
%token <tok> NUMBER "number" ADDRESS "address" NAME "name"
%token <tok> JUNK "character"
%token <tok> EOL "end of line"

%type <tok> listname action_word
%type <acl> header
%type <num> protocol established
%type <addr> std_addr ext_addr
%type <ports> ports
%type <rule> entry

%%

file:
    %empty
  | file line
  ;

line:
    EOL
  | REMARK EOL
  | header EOL                  { p->block = $1; }
  | header entry EOL            { p->block = $1; if (add_rule(p, $1, &$2) < 0) YYABORT; }
  | ACCESS_LIST NUMBER entry EOL {
        int kind = numbered_kind($2.num);
        if (kind < 0) {
            ft_acl_fail(p, &$2, "access-list number not 1-99, 100-199, 1300-1999 or 2000-2699");
            YYABORT;
        }
        struct ft_acl *a = ft_acl_list_get(p, &$2, kind);
        if (!a || add_rule(p, a, &$3) < 0)
            YYABORT;
        p->block = NULL;        /* a global statement ends a block, as on a router */
    }
  | entry EOL {
        if (!p->block) {
            ft_acl_fail(p, &$1.at, "entry outside an ip access-list");
            YYABORT;
        }
        if (add_rule(p, p->block, &$1) < 0)
            YYABORT;
    }
  ;

header:
    IP ACCESS_LIST STANDARD listname { if (!($$ = ft_acl_list_get(p, &$4, 0))) YYABORT; }
  | IP ACCESS_LIST EXTENDED listname { if (!($$ = ft_acl_list_get(p, &$4, 1))) YYABORT; }
  ;

listname: NAME | NUMBER ;

entry:
    action_word std_addr {
        memset(&$$, 0, sizeof $$);
        $$.e.permit = $1.num != 0;
        $$.e.src = $2;
        $$.at = $1;
    }
  | action_word protocol ext_addr ports ext_addr ports established {
        memset(&$$, 0, sizeof $$);
        $$.extended = 1;
        $$.e.permit = $1.num != 0;
        $$.e.any_proto = $2 < 0;
        $$.e.proto = $2 < 0 ? 0 : (uint8_t)$2;
        $$.e.src = $3;
        $$.e.dst = $5;
        $$.e.sport = $4.ports;
        $$.e.dport = $6.ports;
        $$.e.has_ports = $4.given || $6.given;
        $$.e.established = $7 != 0;
        $$.at = $1;
        if (check_ports(p, &$$, &$4, &$6) < 0)
            YYABORT;
        if ($7 && ($$.e.any_proto || $$.e.proto != 6)) {
            ft_acl_fail(p, NULL, "\"established\" needs protocol tcp");
            YYABORT;
        }
    }
  ;

action_word:
    PERMIT { $$ = $1; $$.num = 1; }
  | DENY { $$ = $1; $$.num = 0; }
  ;

std_addr:
    ANY { $$ = addr_test(0, 0xffffffffu); $$.any = 1; }
  | HOST ADDRESS { if (check_address(p, &$2) < 0) YYABORT; $$ = addr_test($2.addr, 0); }
  | ADDRESS { if (check_address(p, &$1) < 0) YYABORT; $$ = addr_test($1.addr, 0); }
  | ADDRESS ADDRESS {
        if (check_address(p, &$1) < 0 || check_address(p, &$2) < 0)
            YYABORT;
        $$ = addr_test($1.addr, $2.addr);
    }
  ;

ext_addr:
    ANY { $$ = addr_test(0, 0xffffffffu); $$.any = 1; }
  | HOST ADDRESS { if (check_address(p, &$2) < 0) YYABORT; $$ = addr_test($2.addr, 0); }
  | ADDRESS ADDRESS {
        if (check_address(p, &$1) < 0 || check_address(p, &$2) < 0)
            YYABORT;
        $$ = addr_test($1.addr, $2.addr);
    }
  ;

protocol:
    IP { $$ = -1; }
  | NUMBER { if (check_number(p, &$1, 255, "protocol") < 0) YYABORT; $$ = (int)$1.num; }
  | NAME {
        $$ = ft_acl_proto_by_name($1.text);
        if ($$ < 0) {
            ft_acl_fail(p, &$1, "unknown protocol");
            YYABORT;
        }
    }
  ;

ports:
    %empty { memset(&$$, 0, sizeof $$); $$.ports.hi = 65535; }
  | EQ NUMBER {
        if (check_number(p, &$2, 65535, "port") < 0) YYABORT;
        memset(&$$, 0, sizeof $$);
        $$.ports.lo = $$.ports.hi = (uint16_t)$2.num;
        $$.given = 1; $$.op = $1;
    }
  | NEQ NUMBER {
        if (check_number(p, &$2, 65535, "port") < 0) YYABORT;
        memset(&$$, 0, sizeof $$);
        $$.ports.lo = $$.ports.hi = (uint16_t)$2.num;
        $$.ports.outside = 1;
        $$.given = 1; $$.op = $1;
    }
  | LT NUMBER {
        if (check_number(p, &$2, 65535, "port") < 0) YYABORT;
        if ($2.num == 0) { ft_acl_fail(p, &$2, "no port is below 0"); YYABORT; }
        memset(&$$, 0, sizeof $$);
        $$.ports.lo = 0; $$.ports.hi = (uint16_t)($2.num - 1);
        $$.given = 1; $$.op = $1;
    }
  | GT NUMBER {
        if (check_number(p, &$2, 65535, "port") < 0) YYABORT;
        if ($2.num == 65535) { ft_acl_fail(p, &$2, "no port is above 65535"); YYABORT; }
        memset(&$$, 0, sizeof $$);
        $$.ports.lo = (uint16_t)($2.num + 1); $$.ports.hi = 65535;
        $$.given = 1; $$.op = $1;
    }
  | RANGE NUMBER NUMBER {
        if (check_number(p, &$2, 65535, "port") < 0 || check_number(p, &$3, 65535, "port") < 0)
            YYABORT;
        if ($2.num > $3.num) { ft_acl_fail(p, &$3, "range ends below its start"); YYABORT; }
        memset(&$$, 0, sizeof $$);
        $$.ports.lo = (uint16_t)$2.num; $$.ports.hi = (uint16_t)$3.num;
        $$.given = 1; $$.op = $1;
    }
  ;

established:
    %empty { $$ = 0; }
  | ESTABLISHED { $$ = 1; }
  ;

%%

/* The token source: remembers each token, so a syntax error can name it. */
static int ft_acl_yylex_(FT_ACL_YYSTYPE *lval, struct ft_acl_parse *p)
{
#undef ft_acl_yylex
    int kind = ft_acl_yylex(lval, p);
    p->last = lval->tok;
    p->last_eol = kind == EOL;
    return kind;
}

/* A symbol as messages name it into buf: keywords quoted, classes of
 * tokens not. */
static const char *symbol_text(yysymbol_kind_t k, char *buf, size_t size)
{
    switch (k) {
    case YYSYMBOL_YYEOF: return "end of file";
    case YYSYMBOL_NUMBER: return "a number";
    case YYSYMBOL_ADDRESS: return "an address";
    case YYSYMBOL_NAME: return "a name";
    case YYSYMBOL_EOL: return "end of line";
    default:
        snprintf(buf, size, "\"%s\"", yysymbol_name(k));
        return buf;
    }
}

/* "TOKEN": syntax error, expected A, B or C" naming the token read last. */
static int yyreport_syntax_error(const yypcontext_t *ctx, struct ft_acl_parse *p)
{
    enum { MAX_EXPECTED = 10 };
    yysymbol_kind_t expected[MAX_EXPECTED];
    int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED), kept = 0;
    for (int i = 0; i < n; i++)         /* a statement may start: no news */
        if (expected[i] != YYSYMBOL_YYEOF)
            expected[kept++] = expected[i];
    n = kept;
    char want[300] = "", name[64];
    size_t used = 0;
    for (int i = 0; i < n && used < sizeof want; i++) {
        const char *sep = i == 0 ? ", expected " : i == n - 1 ? " or " : ", ";
        int w = snprintf(want + used, sizeof want - used, "%s%s", sep,
                         symbol_text(expected[i], name, sizeof name));
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (yypcontext_token(ctx) == YYSYMBOL_YYEOF)
        return ft_acl_fail(p, NULL, "end of file: syntax error%s", want);
    if (p->last_eol)
        return ft_acl_fail(p, NULL, "end of line: syntax error%s", want);
    return ft_acl_fail(p, &p->last, "syntax error%s", want);
}

int ft_acl_run_parser(struct ft_acl_parse *p)
{
    jmp_buf fatal;
    if (ft_acl_scan_init(p) < 0)
        return -1;
    p->fatal = &fatal;
    int rc;
    if (setjmp(fatal) == 0) {
        rc = yyparse(p);
    } else {            /* the scanner ran out of memory */
        ft_acl_fail(p, NULL, "out of memory");
        rc = 1;
    }
    p->fatal = NULL;
    ft_acl_scan_destroy(p);
    if (rc != 0 && !p->failed)
        ft_acl_fail(p, NULL, rc == 2 ? "out of memory" : "syntax error");
    return rc == 0 ? 0 : -1;
}

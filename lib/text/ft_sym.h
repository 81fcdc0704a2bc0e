/*
 * ft_sym.h - symbol tables: numbers <-> names (ports, protocols, AS, tags).
 *
 * A table file has one `value name` pair per line: the value in C notation
 * (decimal, 0x hex, 0 octal), blanks, then the name, which is the rest of
 * the line without trailing blanks.  Blank lines and lines starting with '#'
 * are skipped.  When a value is listed twice the last line wins.  A line
 * with a bad value or no name is refused and counted (flow-tools stops
 * there: "Missing field"); ft_sym_problem() names the first one.
 * flow-tools keeps five such tables in <sysconfdir>/sym; the programs
 * pass the directory ($FTKIT_SYMDIR when it is set: ft_prog_symdir()).
 */
#ifndef FT_SYM_H
#define FT_SYM_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_err.h"

enum ft_sym_table {
    FT_SYM_IP_PROT,             /* ip-prot.sym */
    FT_SYM_TCP_PORT,            /* tcp-port.sym (TCP and UDP alike) */
    FT_SYM_ASN,                 /* asn.sym */
    FT_SYM_TAG,                 /* tag.sym */
    FT_SYM_IP_TYPE,             /* ip-type.sym */
    FT_SYM_NTABLES
};

/* Entries a table keeps at most; further lines are refused and counted. */
#define FT_SYM_DEFAULT_LIMIT 1000000u
/* Longest name kept; longer names are cut. */
#define FT_SYM_NAME_MAX 255

struct ft_sym;

/* Parse a table from memory; `name` is used in messages. */
struct ft_sym *ft_sym_parse(const char *text, size_t len, const char *name,
                            size_t limit, struct ft_err *err);
/* Read a table file.  NULL with err filled if it cannot be read. */
struct ft_sym *ft_sym_load(const char *path, struct ft_err *err);
/* The symbol directory of an installed ftkit. */
#ifndef FT_SYSCONFDIR
#define FT_SYSCONFDIR "/usr/local/etc"
#endif
#define FT_SYM_DEFAULT_DIR FT_SYSCONFDIR "/sym"

/* Read one of the five standard tables from directory dir (NULL:
 * FT_SYM_DEFAULT_DIR). */
struct ft_sym *ft_sym_open(const char *dir, enum ft_sym_table t, struct ft_err *err);
void ft_sym_free(struct ft_sym *s);

/* The path of a standard table in dir (NULL: FT_SYM_DEFAULT_DIR), written
 * to buf; NULL if it does not fit. */
const char *ft_sym_path(const char *dir, enum ft_sym_table t, char *buf, size_t size);

/* Name of value, or NULL. */
const char *ft_sym_name(const struct ft_sym *s, uint32_t value);
/* Value of name (case-insensitive, as flow-tools): 0, or -1 if the name is
 * unknown.  A name given to several values resolves to the last line's. */
int ft_sym_value(const struct ft_sym *s, const char *name, uint32_t *value);

/* Entries kept, and lines refused (malformed, or beyond the limit). */
size_t ft_sym_count(const struct ft_sym *s);
size_t ft_sym_refused(const struct ft_sym *s);
/* "file:line: reason" of the first refused line, or NULL if none was. */
const char *ft_sym_problem(const struct ft_sym *s);

/*
 * The name of value cut to max-1 characters, or its decimal form: what
 * flow-tools' symbolic columns print.  buf holds at least max bytes and
 * 11 (a decimal u32); s may be NULL (always decimal).  Returns the length.
 */
size_t ft_sym_format(const struct ft_sym *s, uint32_t value, char *buf, size_t max);

#endif

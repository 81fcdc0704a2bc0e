/*
 * ft_rcfg.h - the report language of flow-report (stat.cfg,
 * nfilter-language.md section 3.1): reports (type, filter, scale, tag-mask,
 * address formats, output blocks) and definitions (filter, tag, mask, the
 * reports they feed, time series).
 *
 * Loading only checks what the file itself says: the filter, tag and mask
 * names are resolved against their own files by the caller
 * (ft_report_open), which knows where those files are.  Lines are read by
 * the shared config reader (lang/ft_cfg.h): comments, tabs, CRLF and -v
 * variables mean what they mean in every language.
 */
#ifndef FT_RCFG_H
#define FT_RCFG_H

#include <stddef.h>
#include <stdint.h>
#include "core/ft_err.h"
#include "lang/ft_vars.h"
#include "report/ft_rtype.h"

/* What one configuration may hold; beyond these loading fails. */
#define FT_RCFG_MAX_REPORTS 10000u
#define FT_RCFG_MAX_DEFINITIONS 10000u
#define FT_RCFG_MAX_OUTPUTS 64u         /* output blocks of one report */
#define FT_RCFG_MAX_DEF_REPORTS 1000u   /* reports of one definition */
#define FT_RCFG_MAX_FILE (16u * 1024u * 1024u)

/* `options`, as bits. */
enum {
    FT_ROPT_PERCENT = 1, FT_ROPT_NAMES = 2, FT_ROPT_HEADER = 4, FT_ROPT_XHEADER = 8,
    FT_ROPT_TOTALS = 16
};

/* ip-*-address-format */
enum ft_raddr_fmt { FT_RADDR_ADDRESS, FT_RADDR_PREFIX_LEN, FT_RADDR_PREFIX_MASK };

/* `format`: how an output is written.  FT_RFMT_DEFAULT is ASCII in an
 * output, and "as each output says" in ft_report_opts.format. */
enum ft_rformat { FT_RFMT_DEFAULT, FT_RFMT_ASCII, FT_RFMT_BINARY, FT_RFMT_JSON, FT_RFMT_CSV };

/* The format called name ("ascii", "binary", "json", "csv", any case), or -1. */
int ft_rformat_parse(const char *name);

/* `time`: the moment a path's strftime conversions show. */
enum ft_rtime { FT_RTIME_MID, FT_RTIME_NOW, FT_RTIME_START, FT_RTIME_END };

struct ft_routput {
    unsigned lineno;            /* of `output` */
    int format;                 /* enum ft_rformat (binary is refused when run) */
    int sort_col;               /* enum ft_rcol, or -1: no sort */
    int sort_desc;              /* `sort +F`: largest first */
    uint64_t records;           /* 0: all */
    uint64_t tally;             /* 0: none */
    uint32_t fields;            /* FT_RC_BIT()s shown */
    unsigned options;           /* FT_ROPT_* */
    char *path;                 /* NULL: standard output; "|cmd" pipes */
    unsigned path_line;
    int time;                   /* enum ft_rtime */
};

struct ft_rreport {
    char *name;
    unsigned lineno;            /* of `stat-report` */
    int has_type;
    struct ft_rtype type;
    char *filter;               /* filter definition name, or NULL */
    unsigned filter_line;
    uint64_t scale;             /* 0: none */
    int has_tag_mask;
    uint32_t tag_mask_src, tag_mask_dst;
    uint8_t src_fmt, dst_fmt;   /* enum ft_raddr_fmt */
    struct ft_routput *out;
    size_t nout, out_cap;
};

struct ft_rdef {
    char *name;
    unsigned lineno;
    char *filter, *tag, *mask; /* names, or NULL */
    unsigned filter_line, tag_line, mask_line;
    size_t *report;             /* indices into ft_rcfg.rep */
    size_t nreport, report_cap;
    uint64_t time_series;       /* seconds, 0: none */
};

struct ft_rcfg {
    char *file;                 /* the name in messages */
    char *filter_file, *tag_file, *mask_file;   /* include-*, or NULL */
    struct ft_rreport *rep;
    size_t nrep, rep_cap;
    struct ft_rdef *def;
    size_t ndef, def_cap;
};

/* Parse a stat.cfg held in memory (len bytes; `name` in messages). */
struct ft_rcfg *ft_rcfg_parse(const char *text, size_t len, const char *name,
                              const struct ft_vars *vars, struct ft_err *err);
/* Read and parse a file. */
struct ft_rcfg *ft_rcfg_load(const char *path, const struct ft_vars *vars, struct ft_err *err);
void ft_rcfg_free(struct ft_rcfg *c);

/* The definition called name (case-insensitive), or NULL. */
const struct ft_rdef *ft_rcfg_find_def(const struct ft_rcfg *c, const char *name);

#endif

/*
 * ft_stat_fmt.c - flow-stat's 33 formats as rows: each names its key
 * columns as field ids of the field table, with the title, widths and
 * quirks of the original's output (print-formats.md section 3).
 */
#include "core/ft_field.h"
#include "report/ft_stat_int.h"

/* Key columns: a field's value, with the width and the symbol table of -n
 * (and the size of flow-tools' name buffer: names are cut one shorter). */
#define NUM(ID, W, SYM, MAX) {FT_FLD_##ID, 0, FT_SD_FIELD, W, SYM, MAX}
#define IP(ID) {FT_FLD_##ID, 0, FT_SD_FIELD, 15, FT_SYM_NONE, 0}
#define PREFIX(ID, MASK) {FT_FLD_##ID, FT_FLD_##MASK, FT_SD_PREFIX, 18, FT_SYM_NONE, 0}
#define PORT(ID) NUM(ID, 10, FT_SYM_TCP_PORT, 16)
/* Quirk: flow-tools names every 32-bit single key from tag.sym. */
#define C32(ID) NUM(ID, 10, FT_SYM_TAG, 16)

/* Report kinds with no key columns. */
#define OTHER(NAME, KIND) {NAME, KIND, NULL, 0, 0, 0, 0, 0, {{0}}}
/* A key report: name, title, columns, each, by_key, pad_packets, tcp_udp. */
#define KEYS(NAME, HEAD, N, EACH, BYKEY, PAD, TCPUDP, ...) \
    {NAME, FT_SK_KEYS, HEAD, N, EACH, BYKEY, PAD, TCPUDP, {__VA_ARGS__}}

const struct ft_stat_fmt ft_stat_fmts[FT_STAT_NFORMATS] = {
    OTHER("Overall Summary", FT_SK_SUMMARY),
    KEYS("Average packet size distribution", "Pkt Size  ", 1, 0, 0, 0, 0,
         {FT_FLD_DOCTETS, 0, FT_SD_PKTSIZE, 10, FT_SYM_TAG, 16}),
    KEYS("Packets per flow distribution", "Packets   ", 1, 0, 0, 0, 0, C32(DPKTS)),
    KEYS("Octets per flow distribution", "Octets    ", 1, 0, 0, 0, 0, C32(DOCTETS)),
    OTHER("Bandwidth per flow distribution", FT_SK_NONE),
    KEYS("UDP/TCP destination port", "port      ", 1, 0, 1, 1, 1, PORT(DSTPORT)),
    KEYS("UDP/TCP source port", "port      ", 1, 0, 1, 1, 1, PORT(SRCPORT)),
    KEYS("UDP/TCP port", "port      ", 2, 1, 1, 1, 1, PORT(SRCPORT), PORT(DSTPORT)),
    KEYS("Destination IP", "IPaddr         ", 1, 0, 0, 0, 0, IP(DSTADDR)),
    KEYS("Source IP", "IPaddr         ", 1, 0, 0, 0, 0, IP(SRCADDR)),
    KEYS("Source/Destination IP", "src IPaddr     dst IPaddr       ", 2, 0, 0, 1, 0,
         IP(SRCADDR), IP(DSTADDR)),
    KEYS("Source or Destination IP", "IPaddr         ", 2, 1, 0, 0, 0, IP(SRCADDR),
         IP(DSTADDR)),
    KEYS("IP protocol", "protocol  ", 1, 0, 1, 1, 0, NUM(PROT, 10, FT_SYM_IP_PROT, 5)),
    OTHER("octets for flow duration plot data", FT_SK_PLOT),
    OTHER("packets for flow duration plot data", FT_SK_PLOT),
    OTHER("short summary", FT_SK_SHORT),
    KEYS("IP Next Hop", "IPaddr         ", 1, 0, 0, 0, 0, IP(NEXTHOP)),
    KEYS("Input interface", "interface ", 1, 0, 1, 1, 0, NUM(INPUT, 10, FT_SYM_NONE, 0)),
    KEYS("Output interface", "interface ", 1, 0, 1, 1, 0, NUM(OUTPUT, 10, FT_SYM_NONE, 0)),
    KEYS("Source AS", "src AS    ", 1, 0, 1, 1, 0, NUM(SRC_AS, 10, FT_SYM_ASN, 18)),
    KEYS("Destination AS", "dst AS    ", 1, 0, 1, 1, 0, NUM(DST_AS, 10, FT_SYM_ASN, 18)),
    KEYS("Source/Destination AS", "src AS          dst AS            ", 2, 0, 0, 1, 0,
         NUM(SRC_AS, 16, FT_SYM_ASN, 18), NUM(DST_AS, 16, FT_SYM_ASN, 18)),
    KEYS("IP ToS", "ToS       ", 1, 0, 1, 1, 0, NUM(TOS, 10, FT_SYM_NONE, 0)),
    KEYS("Input/Output Interface", "in   out    ", 2, 0, 0, 1, 0,
         NUM(INPUT, 5, FT_SYM_NONE, 0), NUM(OUTPUT, 5, FT_SYM_NONE, 0)),
    KEYS("Source Prefix", "Source Prefix     ", 1, 0, 0, 0, 0, PREFIX(SRCADDR, SRC_MASK)),
    /* Quirk: the destination report's title says Source. */
    KEYS("Destination Prefix", "Source Prefix     ", 1, 0, 0, 0, 0,
         PREFIX(DSTADDR, DST_MASK)),
    KEYS("Source/Destination Prefix", "Source Prefix     Destination Prefix  ", 2, 0, 0, 0,
         0, PREFIX(SRCADDR, SRC_MASK), PREFIX(DSTADDR, DST_MASK)),
    KEYS("Exporter IP", "IPaddr         ", 1, 0, 0, 0, 0, IP(EXADDR)),
    KEYS("Engine Id", "engine_id ", 1, 0, 1, 1, 0, NUM(ENGINE_ID, 10, FT_SYM_NONE, 0)),
    /* Quirk: the title is cut to its column, with no space before "flows". */
    KEYS("Engine Type", "engine_typ", 1, 0, 1, 1, 0, NUM(ENGINE_TYPE, 10, FT_SYM_NONE, 0)),
    KEYS("Source Tag", "Src Tag   ", 1, 0, 0, 0, 0, C32(SRC_TAG)),
    KEYS("Destination Tag", "Dst Tag   ", 1, 0, 0, 0, 0, C32(DST_TAG)),
    KEYS("Source/Destination Tag", "Src Tag   Dst Tag     ", 2, 0, 0, 0, 0, C32(SRC_TAG),
         C32(DST_TAG)),
};

const char *ft_stat_format_name(int format)
{
    return format >= 0 && format < FT_STAT_NFORMATS ? ft_stat_fmts[format].name : NULL;
}

uint64_t ft_stat_required(int format)
{
    if (format < 0 || format >= FT_STAT_NFORMATS)
        return 0;
    const struct ft_stat_fmt *f = &ft_stat_fmts[format];
    uint64_t need = FT_F_DPKTS | FT_F_DOCTETS;
    switch (f->kind) {
    case FT_SK_SUMMARY:
        return need | FT_F_FIRST | FT_F_LAST | FT_F_UNIX_SECS;
    case FT_SK_PLOT:
        return need | FT_F_FIRST | FT_F_LAST;
    case FT_SK_NONE:
        return 0;
    case FT_SK_SHORT:
        return need;
    }
    need |= FT_F_FIRST | FT_F_LAST;     /* the duration column */
    if (f->tcp_udp)
        need |= FT_F_PROT;
    for (int c = 0; c < f->ncols; c++) {
        need |= ft_fields[f->col[c].field].has;
        if (f->col[c].derive == FT_SD_PREFIX)
            need |= ft_fields[f->col[c].mask].has;
    }
    return need;
}

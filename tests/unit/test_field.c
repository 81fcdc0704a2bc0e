/* Unit tests of the field table (core/ft_field.h): every member of struct
 * ft_flow is described once, rows agree with the struct, names and
 * elements find their rows. */
#include <stddef.h>
#include <string.h>
#include "core/ft_field.h"
#include "ft_test.h"

/* Every byte of struct ft_flow but `has` and padding belongs to one row. */
static void rows_cover_the_struct(void)
{
    unsigned char owner[sizeof(struct ft_flow)];
    memset(owner, 0, sizeof owner);
    static const size_t width[] = {
        [FT_T_IP] = sizeof(struct ft_ip), [FT_T_U8] = 1, [FT_T_U16] = 2, [FT_T_U32] = 4,
        [FT_T_U64] = 8};
    for (int i = 0; i < FT_NFIELDS; i++) {
        const struct ft_field *d = &ft_fields[i];
        CHECK_EQ_U(d->id, i, d->name);
        CHECK(d->has != 0, "%s has no has bit", d->name);
        CHECK(d->off + width[d->type] <= sizeof owner, "%s past the struct", d->name);
        for (size_t b = d->off; b < d->off + width[d->type] && b < sizeof owner; b++) {
            CHECK(owner[b] == 0, "%s overlaps %s", d->name, ft_fields[owner[b] - 1].name);
            owner[b] = (unsigned char)(i + 1);
        }
    }
    /* all members: the sum of row widths is the struct less `has` and padding */
    size_t covered = 0;
    for (size_t b = 0; b < sizeof owner; b++)
        covered += owner[b] != 0;
    struct ft_flow probe;
    memset(&probe, 0xFF, sizeof probe);
    size_t members = sizeof probe - sizeof probe.has;
    CHECK(covered <= members && members - covered < 16,
          "rows cover %zu of %zu member bytes: a member has no row", covered, members);
}

static void names_are_unique(void)
{
    for (int i = 0; i < FT_NFIELDS; i++) {
        const struct ft_field *d = &ft_fields[i];
        CHECK(ft_field_by_name(d->name) == d, "name %s finds another row", d->name);
        if (d->json)
            CHECK(ft_field_by_name(d->json) == d, "json key %s finds another row", d->json);
        for (int j = i + 1; j < FT_NFIELDS; j++) {
            CHECK(strcmp(d->name, ft_fields[j].name) != 0, "name %s twice", d->name);
            if (d->ie)
                CHECK(d->ie != ft_fields[j].ie && d->ie != ft_fields[j].ie_alt,
                      "element %u in %s and %s", d->ie, d->name, ft_fields[j].name);
        }
    }
}

static void lookups(void)
{
    CHECK(ft_field_by_name("ip-source-address") == &ft_fields[FT_FLD_SRCADDR], "report name");
    CHECK(ft_field_by_name("src-ip-addr") == &ft_fields[FT_FLD_SRCADDR], "filter name");
    CHECK(ft_field_by_lang("ip-nexthop-address") == &ft_fields[FT_FLD_NEXTHOP], "alias");
    CHECK(ft_field_by_lang("srcaddr") == NULL, "a field name is no language spelling");
    CHECK(ft_field_by_name("proto") == &ft_fields[FT_FLD_PROT], "json key");
    CHECK(ft_field_by_name("ip-source") == NULL, "a prefix of a spelling is not it");
    CHECK(ft_field_by_name("no-such-field") == NULL, "unknown name");
    CHECK(ft_field_by_element(28) == &ft_fields[FT_FLD_DSTADDR], "IPv6 element");
    CHECK(ft_field_by_element(1) == &ft_fields[FT_FLD_DOCTETS], "octetDeltaCount");
    CHECK(ft_field_by_element(254) == &ft_fields[FT_FLD_DST_VLAN], "postDot1qVlanId");
    CHECK(ft_field_by_element(0) == NULL, "element 0");
    CHECK(ft_field_by_element(999) == NULL, "an element of no field");
    char buf[64];
    CHECK_EQ_S(ft_field_lang_name(&ft_fields[FT_FLD_SRC_AS], buf, sizeof buf), "source-as",
               "first spelling");
    CHECK(ft_field_lang_name(&ft_fields[FT_FLD_PEER_NEXTHOP], buf, sizeof buf) == NULL,
          "no spelling");
}

static void get_and_put(void)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    for (int i = 0; i < FT_NFIELDS; i++) {
        const struct ft_field *d = &ft_fields[i];
        if (d->type == FT_T_IP)
            continue;
        uint64_t v = 0x0102030405060708ULL;
        ft_field_put(&f, d, v);
        uint64_t want = d->type == FT_T_U8 ? 0x08 : d->type == FT_T_U16 ? 0x0708
                      : d->type == FT_T_U32 ? 0x05060708 : v;
        CHECK_EQ_U(ft_field_get(&f, d), want, d->name);
        CHECK(ft_field_is_set(&f, d), "%s set", d->name);
    }
    CHECK_EQ_U(f.doctets, 0x0102030405060708ULL, "doctets through its row");
    CHECK_EQ_U(f.srcport, 0x0708, "srcport through its row");
    CHECK(!ft_field_is_set(&f, &ft_fields[FT_FLD_SRCADDR]), "no address yet");
    ft_ip_set4(&f.srcaddr, 0x0a000001);
    CHECK(ft_field_is_set(&f, &ft_fields[FT_FLD_SRCADDR]), "an IPv4 address");
    f.dstaddr.af = FT_AF_INET6;
    CHECK(!ft_field_is_set(&f, &ft_fields[FT_FLD_DSTADDR]), ":: is not set");
    f.dstaddr.v6[15] = 1;
    CHECK(ft_field_is_set(&f, &ft_fields[FT_FLD_DSTADDR]), "::1 is set");
}

static void durations(void)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = FT_F_FIRST | FT_F_LAST | FT_F_TIMES;
    f.first = 1000;
    f.last = 3500;
    f.start_ms = 5;
    f.end_ms = 7;
    CHECK_EQ_U(ft_flow_duration_ms(&f), 2500, "uptime stamps win");
    f.first = 4000;
    CHECK_EQ_U(ft_flow_duration_ms(&f), 4294966796u, "Last before First wraps as flow-tools");
    f.has = FT_F_TIMES;
    f.start_ms = 1700000000000ULL;
    f.end_ms = 1700000001234ULL;
    CHECK_EQ_U(ft_flow_duration_ms(&f), 1234, "absolute times without stamps");
    f.end_ms = f.start_ms - 1;
    CHECK_EQ_U(ft_flow_duration_ms(&f), 0, "absolute times backwards");
}

int main(void)
{
    rows_cover_the_struct();
    names_are_unique();
    lookups();
    get_and_put();
    durations();
    return ft_test_report("test_field");
}

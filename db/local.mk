# flow-clickhouse: flow files into a ClickHouse table over HTTP (shipper with a ledger)
bin_PROGRAMS += flow-clickhouse
flow_clickhouse_SOURCES = db/flow-clickhouse.c db/ledger.c db/ledger.h
flow_clickhouse_LDADD = $(FTLIB)
dist_man_MANS += man/flow-clickhouse.1

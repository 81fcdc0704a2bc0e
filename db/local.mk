# flow-clickhouse: flow files into a ClickHouse table over HTTP (shipper with a ledger)
bin_PROGRAMS += flow-clickhouse
flow_clickhouse_SOURCES = db/flow-clickhouse.c db/ledger.c db/ledger.h
flow_clickhouse_LDADD = $(FTLIB)
dist_man_MANS += man/flow-clickhouse.1
dist_man_MANS += man/ftkit-deploy.7
# the table DDL (flow-clickhouse --ddl writes the same; tests/clickhouse.sh
# checks) and flow-capture's -R hook that ships each closed file
dist_pkgdata_DATA = etc/clickhouse/flows.sql etc/clickhouse/flows-cluster.sql
dist_pkgdata_SCRIPTS = etc/clickhouse/ship-hook

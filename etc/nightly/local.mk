# The nightly report (etc/nightly/README): flow-nightly to bindir, its
# stat.cfg and tag.cfg to $(sysconfdir)/cfg/nightly, where it looks.
bin_SCRIPTS += flow-nightly
CLEANFILES += flow-nightly
flow-nightly: $(srcdir)/etc/nightly/flow-nightly.in Makefile
	$(AM_V_GEN)sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/etc/nightly/flow-nightly.in >$@.tmp && chmod +x $@.tmp && mv -f $@.tmp $@
nightlycfgdir = $(sysconfdir)/cfg/nightly
dist_nightlycfg_DATA = etc/nightly/stat.cfg etc/nightly/tag.cfg
dist_man_MANS += man/flow-nightly.1

# flow-capture, flow-send, flow-fanout, flow-expire: the collector daemon and network tools
bin_PROGRAMS += flow-capture
flow_capture_SOURCES = capture/flow-capture.c capture/receiver.c capture/flow-capture.h
flow_capture_LDADD = $(FTLIB)
dist_man_MANS += man/flow-capture.1
bin_PROGRAMS += flow-send
flow_send_SOURCES = capture/flow-send.c
flow_send_LDADD = $(FTLIB)
dist_man_MANS += man/flow-send.1
bin_PROGRAMS += flow-expire
flow_expire_SOURCES = capture/flow-expire.c
flow_expire_LDADD = $(FTLIB)
dist_man_MANS += man/flow-expire.1
bin_PROGRAMS += flow-fanout
flow_fanout_SOURCES = capture/flow-fanout.c
flow_fanout_LDADD = $(FTLIB)
dist_man_MANS += man/flow-fanout.1

# flow-receive: datagrams (UDP or a pcap file) to one flow stream
bin_PROGRAMS += flow-receive
flow_receive_SOURCES = capture/flow-receive.c
flow_receive_LDADD = $(FTLIB)
dist_man_MANS += man/flow-receive.1

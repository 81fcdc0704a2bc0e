# flow-sensor: packets (libpcap, live or a file) metered into flows
bin_PROGRAMS += flow-sensor
flow_sensor_SOURCES = sensor/flow-sensor.c sensor/outputs.c sensor/flow-sensor.h
flow_sensor_LDADD = $(FTLIB)
dist_man_MANS += man/flow-sensor.1

"""tests/sensor_meter.py - an independent flow meter for flow-sensor's tests.

Written from the rules of flow-sensor(1) (not from its code), over
tests/lib.py's pcap walk: each IPv4/IPv6 packet of an Ethernet pcap counts
into the flow of its (addresses, ports, protocol, ToS, IP version); ICMP
type/code is the destination port.  Times are the packets' own, in
microseconds; the clock never goes back.  Before a packet at time `now` is
counted, flows end: inactive (last + inactive <= now), then active
(first + active <= now), then FIN/RST (first FIN or RST + grace <= now), each
oldest first; a new flow that finds `max_flows` flows evicts the one seen
least recently.  At the end every flow ends.

    meter(path, inactive_us, active_us, grace_us, max_flows) -> (flows, totals)

flows: a sorted list of (src, dst, sport, dport, prot, tos, flags, packets,
octets, first_us, last_us); totals: (IP packets, IP octets) of the pcap.
"""
import ipaddress
import struct
from collections import OrderedDict

from lib import pcap_ip_packets_at

EXT_HEADERS = (0, 43, 60, 44, 51)


def _addr(b):
    return str(ipaddress.ip_address(bytes(b)))


def parse(etype, pkt, p):
    """(key, octets, flags) of one IP packet; key without the version."""
    if etype == 0x0800:
        ihl = (pkt[p] & 15) * 4
        tos, total = pkt[p + 1], struct.unpack("!H", pkt[p + 2:p + 4])[0]
        frag = struct.unpack("!H", pkt[p + 6:p + 8])[0]
        prot = pkt[p + 9]
        src, dst = _addr(pkt[p + 12:p + 16]), _addr(pkt[p + 16:p + 20])
        octets, l4, later = total, p + ihl, bool(frag & 0x1fff)
        end = p + total
    else:
        w = struct.unpack("!I", pkt[p:p + 4])[0]
        tos = (w >> 20) & 0xff
        plen = struct.unpack("!H", pkt[p + 4:p + 6])[0]
        prot = pkt[p + 6]
        src, dst = _addr(pkt[p + 8:p + 24]), _addr(pkt[p + 24:p + 40])
        octets, l4, later, end = 40 + plen, p + 40, False, p + 40 + plen
        while prot in EXT_HEADERS:
            if prot == 44:
                off = struct.unpack("!H", pkt[l4 + 2:l4 + 4])[0]
                later = bool(off & 0xfff8)
                n = 8
            elif prot == 51:
                n = (pkt[l4 + 1] + 2) * 4
            else:
                n = (pkt[l4 + 1] + 1) * 8
            prot = pkt[l4]
            l4 += n
            if later:
                break
    body = pkt[l4:min(end, len(pkt))]
    sport = dport = flags = 0
    if not later:
        if prot == 6 and len(body) >= 14:
            sport, dport = struct.unpack("!HH", body[:4])
            flags = body[13]
        elif prot in (17, 132) and len(body) >= 4:
            sport, dport = struct.unpack("!HH", body[:4])
        elif prot in (1, 58) and len(body) >= 2:
            dport = body[0] << 8 | body[1]
    return (src, dst, sport, dport, prot, tos), octets, flags


def meter(path, inactive_us=15000000, active_us=1800000000, grace_us=2000000,
          max_flows=1 << 30):
    cache = OrderedDict()       # key -> [first, last, pkts, octets, flags]; LRU order
    by_first = OrderedDict()    # key -> first, in the order flows started
    by_fin = OrderedDict()      # key -> time of its first FIN/RST
    out = []
    now = 0
    packets = octets_total = 0

    def end(key):
        first, last, pk, oc, fl = cache.pop(key)
        by_first.pop(key)
        by_fin.pop(key, None)
        out.append(key + (fl, pk, oc, first, last))

    def due(order, when):
        while order:
            key = next(iter(order))
            if when(key) > now:
                return
            end(key)

    for _frame, ts, _wire, etype, pkt, p in pcap_ip_packets_at(path):
        key, octets, flags = parse(etype, pkt, p)
        packets += 1
        octets_total += octets
        now = max(now, ts)
        due(cache, lambda k: cache[k][1] + inactive_us)
        due(by_first, lambda k: by_first[k] + active_us)
        due(by_fin, lambda k: by_fin[k] + grace_us)
        f = cache.get(key)
        if f is None:
            if len(cache) >= max_flows:
                end(next(iter(cache)))
            f = cache[key] = [now, now, 0, 0, 0]
            by_first[key] = now
        else:
            cache.move_to_end(key)
        f[1] = now
        f[2] += 1
        f[3] += octets
        f[4] |= flags
        if flags & 0x05 and key not in by_fin:
            by_fin[key] = now
    for key in list(cache):
        end(key)
    return sorted(out), (packets, octets_total)


def sensor_flows(json_lines):
    """flow-print -f json lines of flow-sensor's stream, as meter() gives them."""
    import json
    out = []
    for line in json_lines:
        if not line.strip():
            continue
        r = json.loads(line)
        # formats without sub-millisecond times (v5) give whole milliseconds
        first = r["first_ns"] // 1000 if r["first_ns"] is not None else r["start_ms"] * 1000
        last = r["last_ns"] // 1000 if r["last_ns"] is not None else r["end_ms"] * 1000
        out.append((r["srcaddr"], r["dstaddr"], r["srcport"], r["dstport"], r["proto"],
                    r["tos"], r["tcp_flags"], r["packets"], r["octets"], first, last))
    return sorted(out)


if __name__ == "__main__":
    import sys
    flows, totals = meter(sys.argv[1])
    for f in flows:
        print(*f)
    print("packets", totals[0], "octets", totals[1], "flows", len(flows))

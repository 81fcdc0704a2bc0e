#!/usr/bin/env python3
"""v5flows.py FILE [DEFINITION] - the flows of a v5 stream as sorted lines
"src dst sport dport prot tos pkts octets input output", read with tests/lib.py's
own stream reader (not ftlib).  With DEFINITION, only the flows that
definition of compat/cfg/filter.cfg keeps, decided here from the text of that
file (hand-translated below), so flow-capture -F is checked against an oracle of
its own rather than against flow-nfilter."""
import ipaddress
import os
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import read_stream  # noqa: E402


def net(s):
    return ipaddress.ip_network(s, strict=False)


CAMPUS = [net("10.10.0.0/16"), net("10.20.0.0/16")]
TRANSIT = net("198.18.0.0/15")
RESOLVER_NETS = [net("198.18.0.0/24"), net("198.19.0.0/24")]   # the longer prefixes deny


def within(addr, nets):
    a = ipaddress.ip_address(addr)
    return any(a in n for n in nets)


# filter.cfg's definitions as the spec defines them (nfilter-language.md 2)
DEFINITIONS = {
    "tcp": lambda f: f["prot"] == 6,                       # ip-protocol tcp
    "voice": lambda f: f["tos"] & 0xfc == 0xb8,            # ip-tos mask 0xfc permit 0xb8
    "campus-out": lambda f: within(f["src"], CAMPUS) and within(f["dst"], [TRANSIT])
    and not within(f["dst"], RESOLVER_NETS),
}


def flows(path):
    h = read_stream(path)
    if h["d_version"] != 5:
        raise SystemExit("%s: not a v5 stream (%s)" % (path, h["d_version"]))
    e, body, out = h["order"], h["body"], []
    for i in range(len(body) // 64):
        r = body[i * 64:(i + 1) * 64]
        src, dst, _hop, inp, outp, pkts, octs = struct.unpack(e + "IIIHHII", r[16:40])
        sport, dport = struct.unpack(e + "HH", r[48:52])
        out.append({"src": str(ipaddress.ip_address(src)), "dst": str(ipaddress.ip_address(dst)),
                    "sport": sport, "dport": dport, "prot": r[52], "tos": r[53],
                    "pkts": pkts, "octets": octs, "input": inp, "output": outp})
    return out


def main():
    keep = DEFINITIONS[sys.argv[2]] if len(sys.argv) > 2 else (lambda f: True)
    keys = ("src", "dst", "sport", "dport", "prot", "tos", "pkts", "octets", "input", "output")
    lines = sorted(" ".join(str(f[k]) for k in keys) for f in flows(sys.argv[1]) if keep(f))
    sys.stdout.write("".join(l + "\n" for l in lines))


main()

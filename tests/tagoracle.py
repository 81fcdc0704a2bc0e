"""tagoracle.py - the tags a tag.cfg definition gives v5 flows, computed here
from the tag language's rules (nfilter-language.md section 2) so that
flow-capture -T and flow-tag are checked against an oracle that is not ftkit.
Only what the test configurations use is here: prefixes (longest match),
exact addresses, ports by protocol, AS numbers, ToS, interfaces, `any`,
exporters; terms with input/output filters and an exporter."""
import ipaddress
import struct

FLAG = {"set-src": "ss", "set-source": "ss", "set-dst": "sd", "set-destination": "sd",
        "or-src": "os", "or-source": "os", "or-dst": "od", "or-destination": "od"}
# type -> (value kind, the lookups it makes: (flow key, protocol or None))
TYPES = {
    "src-prefix": ("prefix", [("src", None)]), "source-prefix": ("prefix", [("src", None)]),
    "dst-prefix": ("prefix", [("dst", None)]), "destination-prefix": ("prefix", [("dst", None)]),
    "prefix": ("prefix", [("src", None), ("dst", None)]),
    "next-hop": ("addr", [("nexthop", None)]),
    "src-ip": ("addr", [("src", None)]), "source-ip-address": ("addr", [("src", None)]),
    "dst-ip": ("addr", [("dst", None)]), "destination-ip-address": ("addr", [("dst", None)]),
    "ip": ("addr", [("src", None), ("dst", None)]),
    "exporter": ("addr", [("exaddr", None)]),
    "src-as": ("num", [("src_as", None)]), "source-as": ("num", [("src_as", None)]),
    "dst-as": ("num", [("dst_as", None)]), "destination-as": ("num", [("dst_as", None)]),
    "as": ("num", [("src_as", None), ("dst_as", None)]),
    "tcp-src-port": ("num", [("sport", 6)]), "tcp-source-port": ("num", [("sport", 6)]),
    "tcp-dst-port": ("num", [("dport", 6)]), "tcp-destination-port": ("num", [("dport", 6)]),
    "tcp-port": ("num", [("sport", 6), ("dport", 6)]),
    "udp-src-port": ("num", [("sport", 17)]), "udp-source-port": ("num", [("sport", 17)]),
    "udp-dst-port": ("num", [("dport", 17)]), "udp-destination-port": ("num", [("dport", 17)]),
    "udp-port": ("num", [("sport", 17), ("dport", 17)]),
    "tos": ("num", [("tos", None)]),
    "input-interface": ("num", [("input", None)]),
    "output-interface": ("num", [("output", None)]),
    "interface": ("num", [("input", None), ("output", None)]),
    "any": ("any", [(None, None)]),
}


def prefix(text):
    """A prefix as the filter language scans it: missing octets are zero, and
    without a length the octets written give it (10.10 is 10.10/16)."""
    addr, _, length = text.partition("/")
    parts = addr.split(".")
    bits = int(length) if length else 8 * len(parts)
    return ipaddress.ip_network("%s/%d" % (".".join((parts + ["0"] * 4)[:4]), bits), strict=False)


def id_list(text):
    """An interface list: numbers and ranges separated by commas, `!` inverts."""
    neg = text.startswith("!")
    nums = set()
    for part in text.lstrip("!").split(","):
        lo, _, hi = part.partition("-")
        nums.update(range(int(lo), int(hi or lo) + 1))
    return lambda v: (v in nums) != neg


def load(path):
    actions, defs, cur, term = {}, {}, None, None
    for raw in open(path):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        key = words[0]
        if key == "tag-action":
            cur = actions[words[1]] = {"type": None, "entries": {}}
        elif key == "type":
            cur["type"] = words[1]
        elif key == "match":
            kind = TYPES[cur["type"]][0]
            v = (prefix(words[1]) if kind == "prefix" else
                 ipaddress.ip_address(words[1]) if kind == "addr" else
                 "any" if kind == "any" else int(words[1], 0))
            cur["entries"].setdefault(v, {})[FLAG[words[2]]] = int(words[3], 0)
        elif key == "tag-definition":
            cur, defs[words[1]] = None, []
            term_list = defs[words[1]]
        elif key == "term":
            term = {"in": None, "out": None, "exporter": None, "actions": []}
            term_list.append(term)
        elif key == "input-filter":
            term["in"] = id_list(words[1])
        elif key == "output-filter":
            term["out"] = id_list(words[1])
        elif key == "exporter":
            term["exporter"] = ipaddress.ip_address(words[1])
        elif key == "action":
            term["actions"].append(words[1])
    return actions, defs


def lookup(action, value):
    entries = action["entries"]
    kind = TYPES[action["type"]][0]
    if kind == "prefix":
        best = [n for n in entries if value in n]
        return entries[max(best, key=lambda n: n.prefixlen)] if best else None
    return entries.get("any" if kind == "any" else value)


def tag_flow(actions, terms, f):
    """(src_tag, dst_tag) of one flow (a dict of its fields)."""
    tags = {"s": 0, "d": 0}
    for t in terms:
        if (t["in"] and not t["in"](f["input"])) or (t["out"] and not t["out"](f["output"])):
            continue
        if t["exporter"] is not None and f["exaddr"] != t["exporter"]:
            continue
        for name in t["actions"]:
            a = actions[name]
            for field, proto in TYPES[a["type"]][1]:
                if proto is not None and f["prot"] != proto:
                    continue
                e = lookup(a, f[field] if field else None)
                for flag, v in (e or {}).items():
                    side = flag[1]
                    tags[side] = v if flag[0] == "s" else tags[side] | v
    return tags["s"], tags["d"]


def v5_flows(h, exaddr):
    """The flows of a v5 stream read by lib.read_stream, as dicts; exaddr is
    where a collector saw them come from."""
    e, b, out = h["order"], h["body"], []
    for i in range(len(b) // 64):
        r = b[i * 64:(i + 1) * 64]
        src, dst, nh, inp, outp = struct.unpack(e + "IIIHH", r[16:32])
        sport, dport = struct.unpack(e + "HH", r[48:52])
        src_as, dst_as = struct.unpack(e + "HH", r[60:64])
        ip = ipaddress.ip_address
        out.append({"src": ip(src), "dst": ip(dst), "nexthop": ip(nh), "input": inp,
                    "output": outp, "sport": sport, "dport": dport, "prot": r[52],
                    "tos": r[53], "src_as": src_as, "dst_as": dst_as,
                    "exaddr": ip(exaddr), "raw": (src, dst, nh, inp, outp, sport, dport, r[52])})
    return out

#!/bin/sh
# filter.sh BUILD_DIR - flow-filter against an oracle of its own.
#
# flow-gen -R writes realistic traffic (v5, and extended records with IPv6);
# flow-filter keeps what a set of access lists and value lists permit; the
# flows it kept (flow-print -f csv) must be exactly, and in the same order,
# the flows a small evaluator written here in Python keeps from flow-print -f
# csv of the input.  The ACL file is written from the same Python data the
# evaluator reads, in every shape the language has (blocks, one-line
# entries, numbered lists, any case, comments), so the parser and the
# evaluator of ftlib are checked against code that shares nothing with them.
# Then the errors: usage, unknown lists, bad files and lists, a stream that
# lacks a field, each with its exit status and message, nothing written.
# Prints one line per check and "filter: N passed, M failed".

build=$(cd "${1:?usage: filter.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
exec python3 - "$build" "$here" <<'PYTHON'
import csv
import io
import ipaddress
import os
import shutil
import subprocess
import sys
import tempfile

build, here = sys.argv[1], sys.argv[2]
sys.path.insert(0, here)
from lib import report, finish  # noqa: E402

def prog(name):
    for d in (".", "filter", "gen", "print"):
        p = os.path.join(build, d, name)
        if os.access(p, os.X_OK):
            return p
    return None

FILTER, GEN, PRINT = prog("flow-filter"), prog("flow-gen"), prog("flow-print")
if not (FILTER and GEN and PRINT):
    print("flow-filter, flow-gen or flow-print not built")
    print("filter: 0 passed, 1 failed")
    sys.exit(1)

work = tempfile.mkdtemp(prefix="ftkit-filter.")
env = dict(os.environ, TZ="UTC", LC_ALL="C")

# ---- the access lists, as data --------------------------------------------------
# standard entry: (permit, address or None for any, wildcard)
# extended entry: (permit, protocol or None, (addr, wc) or None, ports, (addr, wc) or None,
#                  ports, established); ports: None or (op, n[, m])
STANDARD = {
    "campus": [(False, "10.1.7.0", "0.0.0.255"), (True, "10.1.0.0", "0.0.255.255"),
               (True, "10.3.0.0", "0.0.255.255"), (False, "172.16.0.0", "0.0.255.255")],
    "odd-hosts": [(True, "0.0.0.1", "255.255.255.254")],
    "uplinks": [(True, "192.0.2.0", "0.0.0.255")],
    "10": [(True, "100.64.0.0", "0.0.255.255"), (True, "176.246.0.0", "0.0.255.255")],
    "11": [(False, "10.2.0.0", "0.0.255.255"), (True, None, None)],
}
EXTENDED = {
    "web": [(False, 6, ("10.4.0.0", "0.0.255.255"), None, None, None, False),
            (True, 6, None, None, None, ("eq", 443), False),
            (True, 6, None, ("eq", 443), None, ("gt", 1023), True),
            (True, 17, None, ("range", 1024, 65535), ("172.16.0.0", "0.0.255.255"),
             ("lt", 1024), False),
            (True, 1, None, None, None, None, False),
            (False, None, ("100.64.0.0", "0.0.255.255"), None, None, None, False),
            (True, 50, None, None, None, None, False)],
    "120": [(True, 17, None, None, None, ("neq", 53), False)],
}

def acl_text():
    """The lists in every shape the language takes."""
    out = ["! flow-filter scenario lists", "# a comment of the config reader"]
    def addr(a):
        if a is None:
            return "any"
        return "host " + a[0] if a[1] == "0.0.0.0" else "%s %s" % a
    def ports(p):
        return "" if p is None else " " + " ".join(str(x) for x in p)
    for i, (name, entries) in enumerate(STANDARD.items()):
        for j, (permit, a, wc) in enumerate(entries):
            word = "permit" if permit else "deny"
            target = "any" if a is None else (a if j % 2 else "%s %s" % (a, wc))
            if target == a and wc != "0.0.0.0":
                target = "%s %s" % (a, wc)
            if name.isdigit():
                out.append("access-list %s %s %s" % (name, word, target))
            elif i % 2:
                out.append("IP Access-List Standard %s %s %s ! one line" % (name, word.upper(), target))
            else:
                if j == 0:
                    out.append("ip access-list standard " + name)
                    out.append(" remark the %s list" % name)
                out.append("\t%s %s" % (word, target))
    for name, entries in EXTENDED.items():
        if not name.isdigit():
            out.append("ip access-list extended " + name)
        for permit, proto, s, sp, d, dp, est in entries:
            line = "%s %s %s%s %s%s%s" % ("permit" if permit else "deny",
                                          {None: "ip", 6: "tcp", 17: "udp", 1: "icmp"}.get(proto, proto),
                                          addr(s), ports(sp), addr(d), ports(dp),
                                          " established" if est else "")
            out.append(("access-list %s " % name if name.isdigit() else " ") + line)
    return "\r\n".join(out) + "\r\n"

# ---- the oracle ------------------------------------------------------------------
def addr_in(ip, a):
    """ip (text) inside (address, wildcard); None is any."""
    if a is None:
        return True
    ip = ipaddress.ip_address(ip)
    if ip.version != 4:
        return False
    value, wild = int(ipaddress.ip_address(a[0])), int(ipaddress.ip_address(a[1]))
    return (int(ip) & ~wild & 0xffffffff) == (value & ~wild & 0xffffffff)

def port_ok(port, p):
    if p is None:
        return True
    op, n = p[0], p[1]
    return {"eq": port == n, "neq": port != n, "lt": port < n, "gt": port > n,
            "range": p[1] <= port <= p[-1]}[op]

def standard(name, ip):
    for permit, a, wc in STANDARD[name]:
        if addr_in(ip, None if a is None else (a, wc)):
            return permit
    return False

def extended(name, r):
    proto, sport, dport = int(r["proto"]), int(r["srcport"]), int(r["dstport"])
    for permit, p, s, sp, d, dp, est in EXTENDED[name]:
        if p is not None and p != proto:
            continue
        if not (addr_in(r["srcaddr"], s) and addr_in(r["dstaddr"], d)):
            continue
        if not (port_ok(sport, sp) and port_ok(dport, dp)):
            continue
        if est and not int(r["tcp_flags"]) & 0x14:
            continue
        return permit
    return False

def number(s):
    """C's strtoul base 0: 0x hex, 0 octal, decimal."""
    if s[:2].lower() == "0x":
        return int(s, 16)
    return int(s, 8) if s.startswith("0") and len(s) > 1 else int(s)

def in_list(value, spec):
    """flow-filter's value lists: [!]a[-b],...[/mask]."""
    mask = None
    if "/" in spec:
        spec, m = spec.split("/")
        mask = number(m)
    invert = spec.startswith("!")
    hit = False
    for part in spec.lstrip("!").split(","):
        lo, _, hi = part.partition("-")
        hit |= number(lo) <= (value & mask if mask is not None else value) <= number(hi or lo)
    return hit != invert

LISTS = {"-a": "src_as", "-A": "dst_as", "-i": "input", "-I": "output", "-p": "srcport",
         "-P": "dstport", "-r": "proto", "-t": "tos", "-T": "tcp_flags"}
ACLS = {"-S": "srcaddr", "-D": "dstaddr", "-x": "nexthop"}

def verdicts(args, r):
    """Each criterion's verdict: True, False, or None (does not apply)."""
    out = []
    for opt, val in zip(args[::2], args[1::2]):
        if opt in LISTS:
            if opt == "-T" and r["proto"] != "6":
                out.append(None)        # flags of TCP flows only
            else:
                out.append(in_list(int(r[LISTS[opt]]), val))
        elif opt in ACLS:
            out.append(standard(val, r[ACLS[opt]]))
        elif opt == "-E":
            out.append(extended(val, r))
        elif opt == "-e":
            out.append(r["exporter"] == val)
    return out

def oracle(args, rows, any_of):
    kept = []
    for r in rows:
        v = verdicts(args, r)
        ok = (True in v or not v) if any_of else (False not in v)
        if ok:
            kept.append(r)
    return kept

# ---- running the programs --------------------------------------------------------
def run(argv, stdin_path=None, data=None):
    inp = open(stdin_path, "rb") if stdin_path else None
    try:
        p = subprocess.run(argv, stdin=inp, input=data, capture_output=True, env=env, timeout=60)
    finally:
        if inp:
            inp.close()
    return p

def csv_rows(stream_path):
    p = run([PRINT, "-f", "csv"], stream_path)
    return list(csv.DictReader(io.StringIO(p.stdout.decode())))

acl = os.path.join(work, "flow.acl")
with open(acl, "w", newline="") as f:
    f.write(acl_text())

try:
    streams = {}
    for fmt, extra in (("5", []), ("extended", ["-6", "30"])):
        path = os.path.join(work, "in-%s.ft" % fmt)
        with open(path, "wb") as f:
            f.write(run([GEN, "-R", "-n", "20000", "-s", "7", "-V", fmt] + extra).stdout)
        streams[fmt] = (path, csv_rows(path))
    report(len(streams["5"][1]) == 20000, "flow-gen -R wrote 20000 flows")
    report(any(":" in r["srcaddr"] for r in streams["extended"][1]),
           "the extended stream holds IPv6 flows")

    cases = [
        (["-S", "campus"], False, "5"),
        (["-D", "10"], False, "5"),
        (["-S", "11", "-D", "11"], False, "5"),
        (["-S", "odd-hosts"], False, "5"),
        (["-x", "uplinks"], False, "5"),
        (["-E", "web"], False, "5"),
        (["-E", "120"], False, "5"),
        (["-S", "campus", "-E", "web"], False, "5"),
        (["-r", "6,17", "-P", "1-1023", "-p", "!53,123"], False, "5"),
        (["-a", "64500-64501,1000", "-A", "!64500"], False, "5"),
        (["-i", "1-3,0x1e", "-I", "010-12"], False, "5"),
        (["-t", "0xb8/0xfc"], False, "5"),
        (["-T", "0x2/0x12"], False, "5"),
        (["-e", "10.255.254.2", "-P", "443"], False, "5"),
        (["-r", "1", "-P", "22", "-E", "120"], True, "5"),
        (["-T", "0x4/0x4", "-r", "50"], True, "5"),
        (["-S", "11", "-P", "53"], False, "extended"),
        (["-D", "campus"], False, "extended"),
        (["-E", "web"], False, "extended"),
    ]
    for args, any_of, fmt in cases:
        path, rows = streams[fmt]
        argv = [FILTER, "-f", acl] + (["-o"] if any_of else []) + args
        name = "flow-filter %s%s on %s" % ("-o " if any_of else "", " ".join(args), fmt)
        p = run(argv, path)
        out = os.path.join(work, "out.ft")
        with open(out, "wb") as f:
            f.write(p.stdout)
        got = csv_rows(out) if p.returncode == 0 else None
        want = oracle(args, rows, any_of)
        if not report(p.returncode == 0 and got == want and 0 < len(want) < len(rows),
                      "%s: %d of %d kept, as the oracle says" % (name, len(want), len(rows))):
            print("     exit %d, kept %s: %s" % (p.returncode, None if got is None else len(got),
                                                p.stderr.decode()[:300]))

    # ---- usage and errors: exit status 1, the message, nothing on stdout ---------
    v5 = streams["5"][0]
    bad_acl = os.path.join(work, "bad.acl")
    with open(bad_acl, "w") as f:
        f.write("! fine so far\nip access-list standard a permit any\n"
                "ip access-list extended b permit tcp any eq 70000 any\n")
    v1 = os.path.join(work, "v1.ft")
    with open(v1, "wb") as f:
        f.write(run([GEN, "-n", "10", "-V", "1"]).stdout)
    v81 = os.path.join(work, "v8.1.ft")
    with open(v81, "wb") as f:
        f.write(run([GEN, "-n", "10", "-V", "8.1"]).stdout)
    errors = [
        ("-h", [FILTER, "-h"], v5, "Usage: flow-filter"),
        ("an extra argument", [FILTER, "-r", "6", "extra"], v5,
         "Extra arguments starting with extra"),
        ("an unknown list", [FILTER, "-f", acl, "-S", "nosuchlist"], v5,
         'no access list "nosuchlist" in ' + acl),
        ("a bad ACL file: file, line and token", [FILTER, "-f", bad_acl, "-S", "a"], v5,
         bad_acl + ' line 3: "70000": port out of range 0-65535'),
        ("a missing ACL file", [FILTER, "-f", os.path.join(work, "none.acl"), "-D", "a"], v5,
         "none.acl"),
        ("an extended list as -S", [FILTER, "-f", acl, "-S", "web"], v5,
         '-S: "web" is an extended access list, not a standard one'),
        ("a standard list as -E", [FILTER, "-f", acl, "-E", "campus"], v5,
         '-E: "campus" is a standard access list, not an extended one'),
        ("a bad value list", [FILTER, "-r", "6,300"], v5, '-r: "6,300": bad prot list'),
        ("a bad mask", [FILTER, "-t", "0xb8/x"], v5, '-t: "0xb8/x": bad tos list'),
        ("a bad exporter", [FILTER, "-e", "1.2.3.4.5"], v5, '-e: "1.2.3.4.5"'),
        ("a field the stream lacks (-a on v1)", [FILTER, "-a", "1"], v1,
         "Flow record missing required field for format."),
        ("a field the stream lacks (-S on v8.1)", [FILTER, "-f", acl, "-S", "campus"], v81,
         "Flow record missing required field for format."),
        ("not a stream", [FILTER, "-r", "6"], acl, "flow-filter: "),
    ]
    for what, argv, stdin_path, message in errors:
        p = run(argv, stdin_path)
        err = p.stderr.decode()
        if not report(p.returncode == 1 and not p.stdout and message in err,
                      "%s: exit 1, nothing written, says so" % what):
            print("     exit %d, %d bytes out, stderr: %s" % (p.returncode, len(p.stdout), err[:300]))

    # damaged input: exit 1, the whole records before the damage written
    cut = os.path.join(work, "cut.ft")
    with open(v5, "rb") as f, open(cut, "wb") as g:
        g.write(f.read()[:300000])
    p = run([FILTER, "-r", "0-255"], cut)
    with open(os.path.join(work, "cut-out.ft"), "wb") as f:
        f.write(p.stdout)
    got = csv_rows(os.path.join(work, "cut-out.ft"))
    report(p.returncode == 1 and p.stderr and 1000 < len(got) < 20000 and
           got == streams["5"][1][:len(got)],
           "damaged input: exit 1, the %d whole records before the damage written" % len(got))

    # -b, -z, -C, -d: the same flows, the stream as asked
    p = run([FILTER, "-f", acl, "-S", "campus", "-b", "big", "-z", "6", "-C", "hello", "-d", "1"], v5)
    with open(os.path.join(work, "bz.ft"), "wb") as f:
        f.write(p.stdout)
    want = oracle(["-S", "campus"], streams["5"][1], False)
    report(p.returncode == 0 and csv_rows(os.path.join(work, "bz.ft")) == want and
           ("20000 flows read, %d kept" % len(want)) in p.stderr.decode(),
           "-b big -z 6 -C -d 1: the same flows, counted on stderr")
finally:
    shutil.rmtree(work, ignore_errors=True)
finish("filter")
PYTHON

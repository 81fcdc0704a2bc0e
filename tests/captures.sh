#!/bin/sh
# captures.sh BUILD_DIR - decode every capture of ../shared/captures with
# flow-receive -r and compare with the reference decodes (tshark).
#
# For each capture that has a reference X.jsonl:
#   1. flow-receive -r X.pcap -V extended | flow-print -f json: every reference
#      line with record_type "flow" must match our line of the same rank on
#      every reference key (null must be null), except frame, record_type,
#      record_index and other; and there must be as many lines.
#   2. flow-receive -r X.pcap (default format: v5 stays v5...): the same flows,
#      equal to the extended output on every key the format keeps.
# Deliberate differences from tshark, checked against the capture itself:
#   - v7 header bytes 20-21 are engine_type/engine_id for flow-tools (tshark
#     calls them reserved and gives null): compared with the raw bytes;
#   - flows without sampling fields of their own carry the sampling rate the
#     exporter announced earlier in options data (tshark gives null):
#     compared with the rate derived from the reference's options records.
# Prints one line per check and "captures: N passed, M failed".

build=${1:-.}
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
exec python3 - "$build" "$shared" "$here" <<'PYTHON'
import json, os, struct, subprocess, sys

build, shared = sys.argv[1], sys.argv[2]
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[3])
from lib import report, finish, tool, pcap_ip_packets  # noqa: E402
caps = os.path.join(shared, "captures")


receive = tool(build, "flow-receive")
printer = tool(build, "flow-print")

# ---- which capture goes with which reference ----------------------------

def cases():
    out = []
    for sub, exp in (("akvorado", "akvorado/expected"), ("akvorado/merged", "akvorado/expected"),
                     ("exporters", "exporters/expected")):
        d = os.path.join(caps, sub)
        for f in sorted(os.listdir(d)):
            if not f.endswith(".pcap"):
                continue
            ref = os.path.join(caps, exp, f[:-5] + ".jsonl")
            if os.path.exists(ref):
                out.append((sub + "/" + f, os.path.join(d, f), ref))
    return out

# ---- raw datagrams, for the v7 engine bytes ------------------------------

def pcap_payloads(path):
    """frame number -> UDP payload (Ethernet/IPv4/IPv6, optional VLAN tags)."""
    out = {}
    for frame, etype, pkt, p in pcap_ip_packets(path):
        p += (pkt[p] & 15) * 4 if etype == 0x0800 else 40
        ulen = struct.unpack(">H", pkt[p + 4:p + 6])[0]
        out[frame] = pkt[p + 8:p + ulen]
    return out

# ---- sampling announced in options data ----------------------------------

def options_rate(rec):
    """(sampler id or None, interval, algorithm) an options record teaches, or None."""
    other = rec.get("other") or {}
    iv = rec.get("sampling_interval")
    if not iv:
        iv = int(other.get("cflow.sampler_random_interval", 0) or 0)
    if not iv and other.get("cflow.sampling_packet_interval"):
        pi = int(other["cflow.sampling_packet_interval"])
        ps = int(other.get("cflow.sampling_packet_space", 0))
        iv = (pi + ps) // pi if pi else 0
    if not iv:
        return None
    alg = rec.get("sampling_algorithm")
    if alg is None and "cflow.sampler_mode" in other:
        alg = int(other["cflow.sampler_mode"])
    if alg is None and "cflow.selector_algorithm" in other:
        sel = int(other["cflow.selector_algorithm"])
        alg = {1: 1, 2: 1, 3: 2, 4: 2}.get(sel, sel)
    return rec.get("sampler_id"), iv, alg or 0


# flow-tools' acceptance rule for v1/v5/v6/v7 (wire-pdus.md section 3):
# version -> (header size, record size, maximum count)
FIXED = {1: (16, 48, 24), 5: (24, 48, 30), 6: (24, 52, 27), 7: (24, 52, 27)}


def fixed_count(payload):
    """(count, nominal maximum) of a v1/v5/v6/v7 datagram, else None."""
    if len(payload) < 4 or struct.unpack(">H", payload[:2])[0] not in FIXED:
        return None
    version, count = struct.unpack(">HH", payload[:4])
    return count, FIXED[version][2]


def ftkit_rejects(payload, strict=False):
    """flow-tools' rule, except that a count above the nominal maximum is kept
    when the length holds exactly that many records (softflowd's 30-record v1),
    unless the exporter is set to strict-count."""
    if len(payload) < 4:
        return True
    version, count = struct.unpack(">HH", payload[:4])
    if version not in FIXED:
        return False
    hdr, rec, most = FIXED[version]
    return len(payload) != hdr + count * rec or (strict and count > most)


def expected_lines(ref_path, payloads, dropped, strict=False):
    """The reference flow lines, with our deliberate differences applied."""
    learned = {}    # (exporter, port, version, source_id) -> {sampler: (iv, alg)}
    out = []
    for line in open(ref_path):
        rec = json.loads(line)
        if ftkit_rejects(payloads.get(rec["frame"], b""), strict):
            dropped[0] += 1
            continue
        key = (rec["exporter"], rec["exporter_port"], rec["version"], rec["source_id"])
        if rec["record_type"] != "flow":
            got = options_rate(rec)
            if got:
                learned.setdefault(key, {})[got[0]] = got[1:]
            continue
        exp = {k: v for k, v in rec.items()
               if k not in ("frame", "record_type", "record_index", "other")}
        if rec["version"] == 7 and exp["engine_type"] is None:
            pl = payloads.get(rec["frame"], b"")
            if len(pl) >= 22:
                exp["engine_type"], exp["engine_id"] = pl[20], pl[21]
        if exp["sampling_interval"] is None and key in learned:
            table = learned[key]
            rate = table.get(exp["sampler_id"]) if exp["sampler_id"] is not None else None
            rate = rate or table.get(None)
            if rate:
                exp["sampling_interval"], exp["sampling_algorithm"] = rate
        out.append(exp)
    return out

# ---- running our tools ----------------------------------------------------

def decode(pcap, version, extra=()):
    args = [receive, "-r", pcap] + (["-V", version] if version else []) + list(extra)
    r = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p = subprocess.run([printer, "-f", "json"], stdin=r.stdout, capture_output=True)
    r.stdout.close()
    err = r.stderr.read().decode(errors="replace")
    r.wait()
    if r.returncode != 0 or p.returncode != 0:
        return None, "flow-receive %d, flow-print %d: %s%s" % (
            r.returncode, p.returncode, err.strip()[-300:], p.stderr.decode()[-300:])
    try:
        return [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()], ""
    except ValueError as e:
        return None, "flow-print output is not JSON lines: %s" % e


def first_difference(exp, ours):
    for i, (e, o) in enumerate(zip(exp, ours)):
        for k, v in e.items():
            if o.get(k, "<missing>") != v:
                return "line %d key %s: want %r, got %r" % (i + 1, k, v, o.get(k, "<missing>"))
    if len(exp) != len(ours):
        return "%d reference flows, %d decoded" % (len(exp), len(ours))
    return None


# Keys each stored record format keeps (besides the always-derived ones).
KEPT = {
    "v1": ["exporter", "sys_uptime", "unix_secs", "unix_nsecs", "srcaddr", "dstaddr",
           "nexthop", "srcport", "dstport", "proto", "tos", "tcp_flags", "input", "output",
           "packets", "octets", "first", "last"],
}
KEPT["v5"] = KEPT["v1"] + ["engine_type", "engine_id", "src_as", "dst_as", "src_mask",
                           "dst_mask"]
KEPT["v7"] = KEPT["v5"]


def compare_default(name, ext, dflt):
    if dflt is None or len(dflt) != len(ext):
        return "%s lines in the default format, %d in extended" % (
            "no" if dflt is None else len(dflt), len(ext))
    version = ext[0]["version"] if ext else None
    kept = KEPT.get("v%s" % version, [])
    for i, (e, d) in enumerate(zip(ext, dflt)):
        for k in set(kept) | {k for k, v in d.items() if v is not None}:
            if k in ("start_ms", "end_ms") and version in (9, 10):
                continue
            if d.get(k) != e.get(k):
                return "line %d key %s: default %r, extended %r" % (i + 1, k, d.get(k), e.get(k))
    return None


def udp_check(name):
    """flow-receive on a UDP socket must give what -r gives for the same datagrams."""
    import random, signal, socket, tempfile, time
    pcap = os.path.join(caps, name)
    want, why = decode(pcap, "extended")
    if want is None:
        report(False, "udp %s: %s" % (name, why))
        return
    out = tempfile.NamedTemporaryFile(suffix=".ft", delete=False).name
    for attempt in range(5):
        port = random.randint(20000, 60000)
        rx = subprocess.Popen([receive, "-V", "extended", "-o", out, "0/127.0.0.1/%d" % port],
                              stderr=subprocess.PIPE)
        time.sleep(0.3)
        if rx.poll() is None:
            break
    else:
        report(False, "udp %s: flow-receive does not start: %s" % (name, rx.stderr.read()))
        return
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payloads = pcap_payloads(pcap)
    for frame in sorted(payloads):
        sock.sendto(payloads[frame], ("127.0.0.1", port))
        time.sleep(0.001)
    time.sleep(0.3)
    rx.send_signal(signal.SIGTERM)
    rx.wait()
    with open(out, "rb") as f:
        p = subprocess.run([printer, "-f", "json"], stdin=f, capture_output=True)
    os.unlink(out)
    got = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    for g in got + want:
        g.pop("exporter_port", None)    # our socket's port, not the exporter's
    diff = first_difference(want, got)
    report(rx.returncode == 0 and diff is None, "udp %s: %d flows through a socket%s" % (
        name, len(got), "" if diff is None else ": " + diff))


def strict_count_check(name):
    """softflowd's v1 datagrams hold 30 records (nominal maximum 24): kept and
    counted by default, refused for an exporter set to strict-count."""
    import tempfile
    pcap = os.path.join(caps, name)
    ref = os.path.join(caps, "exporters/expected", os.path.basename(name)[:-5] + ".jsonl")
    payloads = pcap_payloads(pcap)
    counts = [fixed_count(p) for p in payloads.values()]
    over = sum(1 for c in counts if c and c[0] > c[1])
    lax = expected_lines(ref, payloads, [0])
    report(over > 0 and len(lax) > 0, "%s: %d datagrams above v1's 24 records, %d flows kept" % (
        name, over, len(lax)))
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as conf:
        conf.write("exporter any quirks strict-count\n")
    dropped = [0]
    strict = expected_lines(ref, payloads, dropped, strict=True)
    ours, why = decode(pcap, "extended", ["-k", conf.name])
    os.unlink(conf.name)
    diff = why if ours is None else first_difference(strict, ours)
    report(diff is None and dropped[0] > 0,
           "%s with strict-count: %d flows refused, %d kept%s" % (
               name, dropped[0], len(strict), "" if diff is None else ": " + diff))


def main():
    if not receive or not printer:
        report(False, "tools built (flow-receive: %s, flow-print: %s)" % (receive, printer))
        return
    for name, pcap, ref in cases():
        dropped = [0]
        exp = expected_lines(ref, pcap_payloads(pcap), dropped)
        ours, why = decode(pcap, "extended")
        if ours is None:
            report(False, "%s: extended decode: %s" % (name, why))
            continue
        diff = first_difference(exp, ours)
        note = " (%d in datagrams flow-tools rejects)" % dropped[0] if dropped[0] else ""
        report(diff is None, "%s: %d flows match the reference%s%s" % (
            name, len(exp), note, "" if diff is None else ": " + diff))
        dflt, why = decode(pcap, None)
        diff = compare_default(name, ours, dflt) if dflt is not None else why
        report(diff is None, "%s: default format keeps the same flows%s" % (
            name, "" if diff is None else ": " + diff))
    strict_count_check("exporters/softflowd-v1.pcap")
    udp_check("exporters/pmacctd-v5.pcap")
    udp_check("exporters/softflowd-v9.pcap")


main()
finish("captures")
PYTHON

#!/bin/sh
# sensor.sh BUILD_DIR - scenario tests of flow-sensor.
#
#   1. ground truth: on mkpcap pcaps, flow-sensor's flows equal those of an
#      independent meter (tests/sensor_meter.py over tests/lib.py's pcap
#      walk) exactly, with the default timeouts and with short ones and a
#      small cache (every expiry cause); packet and octet totals equal the
#      pcap's IP packets and bytes; stdin, pcapng and a BPF filter give the
#      same flows; -V 5 counts the IPv6 flows as dropped; sampling;
#   2. softflowd on the same pcap (timeouts longer than the capture): the
#      same flow, packet and octet totals and the same per-5-tuple sums;
#   3. end to end: v5, v9 and IPFIX export into flow-capture on loopback,
#      the stored flows equal the sensor's stream; -w writes the same flows
#      into rotated capture files (ft-, no tmp- left);
#   4. live: a veth pair in a network namespace made here, tcpreplay into one
#      end, flow-sensor -i on the other: totals equal the pcap's (skipped
#      with a `skip` line when namespaces cannot be made);
#   5. malformed packets (cut at every header, bogus lengths, IPv6 chains
#      that loop or run past the end, VLAN/MPLS stacks without end): counted
#      by reason, no crash (the ASan tree runs this too).
# Prints one line per check and "sensor: N passed, M failed".

build=${1:-.}
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
exec python3 - "$build" "$shared" "$here" <<'PYTHON'
import json, os, re, shutil, signal, struct, subprocess, sys, tempfile, time
from collections import defaultdict

build, shared = sys.argv[1], sys.argv[2]
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[3])
from lib import report, finish, tool, free_port, files, wait_for  # noqa: E402
from sensor_meter import meter, sensor_flows  # noqa: E402

SENSOR, PRINT, CAPTURE, CAT = (tool(build, n) for n in
                               ("flow-sensor", "flow-print", "flow-capture", "flow-cat"))
MKPCAP = os.path.join(shared, "tools", "mkpcap.py")
work = tempfile.mkdtemp(prefix="sensor.")
procs = []
SANITIZER = re.compile(r"(AddressSanitizer|LeakSanitizer|runtime error:)")


def run(args, stdin=None, timeout=60):
    r = subprocess.run(args, stdin=stdin, capture_output=True, timeout=timeout)
    if SANITIZER.search(r.stderr.decode(errors="replace")):
        report(False, "sanitizer report from %s:\n%s" % (args[0], r.stderr.decode()[:3000]))
    return r


def to_json(stream):
    r = run([PRINT, "-f", "json"], stdin=stream)
    return r.stdout.decode().splitlines()


def sense(*args, path=None, stdin=None):
    """flow-sensor's flows (as the meter gives them), its stats line, status."""
    src = ["-r", path] if path else ["-r", "-"]
    out = os.path.join(work, "out.ft")
    with open(out, "wb") as f:
        r = subprocess.run([SENSOR] + src + list(args), stdin=stdin, stdout=f,
                           stderr=subprocess.PIPE, timeout=60)
    err = r.stderr.decode(errors="replace")
    if SANITIZER.search(err):
        report(False, "sanitizer report from flow-sensor:\n%s" % err[:3000])
    with open(out, "rb") as f:
        flows = sensor_flows(to_json(f))
    return flows, stats(err), r.returncode


def stats(text):
    m = re.search(r"STAT \(exit\):(.*)", text)
    return dict(kv.split("=", 1) for kv in m.group(1).split()) if m else {}


def mkpcap(name, *args):
    path = os.path.join(work, name)
    subprocess.run([sys.executable, MKPCAP, "-o", path] + list(args), check=True, timeout=60)
    return path


def totals(flows):
    return sum(f[7] for f in flows), sum(f[8] for f in flows)


# ---- 1. ground truth --------------------------------------------------------

def test_meter(pcap):
    want, (pk, oc) = meter(pcap)
    got, st, rc = sense(path=pcap)
    report(rc == 0, "default timeouts: exit status %d" % rc)
    report(got == want, "default timeouts: %d flows equal the meter's %d exactly"
           % (len(got), len(want)))
    report(totals(got) == (pk, oc), "totals %s equal the pcap's IP packets and bytes %s"
           % (totals(got), (pk, oc)))
    report(st.get("ip") == str(pk) and st.get("malformed") == "0",
           "stats: ip=%s malformed=%s" % (st.get("ip"), st.get("malformed")))
    # short timeouts and a small cache: every way a flow ends
    want, _ = meter(pcap, 4000000, 20000000, 500000, 40)
    got, st, rc = sense("-t", "4", "-a", "20", "-f", "0.5", "-m", "40", path=pcap)
    report(got == want, "-t 4 -a 20 -f 0.5 -m 40: %d flows equal the meter's %d"
           % (len(got), len(want)))
    causes = [st.get(k, "0") for k in ("inactive", "active_timeout", "fin", "full", "end")]
    report(all(c != "0" for c in causes), "every expiry cause counted (%s)" % ",".join(causes))
    report(totals(got) == (pk, oc), "short timeouts: totals still the pcap's")
    with open(pcap, "rb") as f:
        got_stdin, _, _ = sense(stdin=f)
    want_default, _ = meter(pcap)
    report(got_stdin == want_default, "-r - (stdin): the same flows")
    ng = os.path.join(work, "x.pcapng")
    if shutil.which("editcap"):
        subprocess.run(["editcap", "-F", "pcapng", pcap, ng], check=True, timeout=60)
        got_ng, _, _ = sense(path=ng)
        report(got_ng == want_default, "pcapng: the same flows")
    got_tcp, _, _ = sense("tcp", "and", "port", "80", path=pcap)
    want_tcp = [f for f in want_default if f[4] == 6 and 80 in (f[2], f[3])]
    report(got_tcp == want_tcp and want_tcp, "BPF filter 'tcp and port 80': %d flows, the "
           "meter's subset %d" % (len(got_tcp), len(want_tcp)))
    got5, st5, _ = sense("-V", "5", path=pcap)
    v6 = [f for f in want_default if ":" in f[0]]
    v4 = [f[:9] for f in want_default if ":" not in f[0]]
    report([f[:9] for f in got5] == v4 and st5.get("dropped_ipv6") == str(len(v6)) and v6,
           "-V 5: the IPv4 flows, %s IPv6 flows counted as dropped (want %d)"
           % (st5.get("dropped_ipv6"), len(v6)))
    gots, sts, _ = sense("-S", "10", path=pcap)
    report(int(sts.get("sampled_out", 0)) == pk - (pk + 9) // 10 and
           sum(f[7] for f in gots) == (pk + 9) // 10,
           "-S 10: 1 packet in 10 counted (%d of %d)" % (sum(f[7] for f in gots), pk))
    r = run([SENSOR, "-r", pcap, "-S", "r10"])
    rows = [json.loads(l) for l in to_json_bytes(r.stdout)]
    n = sum(x["packets"] for x in rows)
    report(abs(n - pk / 10) < pk / 10 * 0.2 and rows and
           all(x["sampling_interval"] == 10 and x["sampling_algorithm"] == 2 for x in rows),
           "-S r10: %d of %d packets (about a tenth), interval 10, algorithm 2 on the flows"
           % (n, pk))


# ---- 2. softflowd -----------------------------------------------------------

def flow_receive_v9(pcap, port, out):
    recv = tool(build, "flow-receive")
    p = subprocess.Popen([recv, "-V", "extended", "-o", out, "0/0/%d" % port],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(p)
    time.sleep(0.3)
    long = []
    for t in ("maxlife", "general", "tcp", "tcp.rst", "tcp.fin", "udp", "icmp"):
        long += ["-t", "%s=86400" % t]
    # -c none: softflowd 1.1.0 -r blocks in accept() on its control socket
    r = subprocess.run(["softflowd", "-d", "-r", pcap, "-n", "127.0.0.1:%d" % port, "-v", "9",
                        "-m", "1000000", "-c", "none", "-p", os.path.join(work, "sf.pid")]
                       + long, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    p.wait(10)
    return r.returncode


def test_softflowd(pcap):
    if not shutil.which("softflowd"):
        print("skip softflowd cross-check: softflowd not installed")
        return
    out = os.path.join(work, "softflowd.ft")
    rc = flow_receive_v9(pcap, free_port(), out)
    with open(out, "rb") as f:
        theirs = [json.loads(l) for l in to_json(f)]
    ours, _, _ = sense("-t", "86400", "-a", "86400", "-f", "86400", path=pcap)
    # softflowd does not key on ToS: a 5-tuple whose ToS changes is one flow there
    merged = len({f[:5] for f in ours})
    report(rc == 0 and len(theirs) == merged,
           "softflowd: %d flows, flow-sensor %d over ToS (%d keyed on ToS too)"
           % (len(theirs), merged, len(ours)))
    t_pk, t_oc = sum(r["packets"] for r in theirs), sum(r["octets"] for r in theirs)
    report((t_pk, t_oc) == totals(ours), "softflowd: packets/octets %s, flow-sensor %s"
           % ((t_pk, t_oc), totals(ours)))
    a, b = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for r in theirs:
        # softflowd sends ICMP type/code as elements of their own, no ports
        dport = r["dstport"] or 0
        if r["icmp_type"] is not None:
            dport = r["icmp_type"] << 8 | r["icmp_code"]
        k = (r["srcaddr"], r["dstaddr"], r["srcport"] or 0, dport, r["proto"])
        a[k][0] += r["packets"]
        a[k][1] += r["octets"]
    for f in ours:
        b[f[:5]][0] += f[7]
        b[f[:5]][1] += f[8]
    diff = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
    report(not diff, "softflowd: per-5-tuple sums equal over %d 5-tuples%s"
           % (len(b), (" (first difference %s: %s vs %s)" % (diff[0], a.get(diff[0]),
                                                           b.get(diff[0]))) if diff else ""))


# ---- 3. end to end ----------------------------------------------------------

def key_ms(r):
    return (r["srcaddr"], r["dstaddr"], r["srcport"], r["dstport"], r["proto"], r["tos"],
            r["tcp_flags"], r["packets"], r["octets"], r["start_ms"], r["end_ms"])


def stored(workdir):
    """The flows of the ft- files under workdir (flow-cat | flow-print), and
    how many files there are."""
    done = files(workdir)
    if not done:
        return [], 0
    r = run([CAT] + done)
    return sorted(key_ms(json.loads(l)) for l in to_json_bytes(r.stdout)), len(done)


def to_json_bytes(data):
    r = subprocess.run([PRINT, "-f", "json"], input=data, capture_output=True, timeout=60)
    return r.stdout.decode().splitlines()


def test_export(pcap):
    r = run([SENSOR, "-r", pcap])
    ours = sorted(key_ms(json.loads(l)) for l in to_json_bytes(r.stdout))
    for version in ("5", "9", "10"):
        port = free_port()
        wd = os.path.join(work, "cap" + version)
        os.makedirs(wd)
        log = open(wd + ".log", "w")
        d = subprocess.Popen([CAPTURE, "-D", "-w", wd, "-V", "extended", "0/0/%d" % port],
                             stdout=subprocess.DEVNULL, stderr=log)
        procs.append(d)
        wait_for(lambda: "listening" in open(wd + ".log").read(), 5)
        s = run([SENSOR, "-r", pcap, "-n", "127.0.0.1/%d" % port, "-X", version])
        st = stats(s.stderr.decode())
        time.sleep(0.5)
        d.send_signal(signal.SIGTERM)
        d.wait(10)
        got, n = stored(wd)
        want = [k for k in ours if version != "5" or ":" not in k[0]]
        report(s.returncode == 0 and got == want and n == 1,
               "export v%s into flow-capture: %d flows stored, %d of the stream, equal"
               % (version, len(got), len(want)))
        if version == "5":
            report(st.get("export_dropped_ipv6") == str(len(ours) - len(want)),
                   "export v5: IPv6 flows counted as dropped (%s)"
                   % st.get("export_dropped_ipv6"))
    wd = os.path.join(work, "files")
    os.makedirs(wd)
    s = run([SENSOR, "-r", pcap, "-w", wd, "-N", "0"])
    got, n = stored(wd)
    report(s.returncode == 0 and got == ours and n >= 1 and not files(wd, "tmp-"),
           "-w: %d flows in %d ft- files, equal to the stream, no tmp- left" % (len(got), n))


# ---- 4. live ----------------------------------------------------------------

def sh(*cmd):
    return subprocess.run(list(cmd), capture_output=True, timeout=30).returncode == 0


def test_live():
    # whole packets: tcpreplay sends what was captured, and a packet cut by
    # the snap length would go out shorter than its IP length says.  The
    # sensor keeps its default snap length (256): with immediate mode the
    # kernel ring has a frame per packet of that size, so it holds many
    pcap = mkpcap("live.pcap", "--seed", "5", "--flows", "300", "--duration", "60",
                  "--ipv6-share", "0.2", "--snaplen", "65535")
    ns = "ftsensor%d" % os.getpid()
    a, b = "fts%da" % (os.getpid() % 100000), "fts%db" % (os.getpid() % 100000)
    if not shutil.which("tcpreplay") or not sh("ip", "netns", "add", ns):
        print("skip live: cannot make a network namespace (ip netns add not permitted)")
        return
    try:
        ok = (sh("ip", "netns", "exec", ns, "ip", "link", "add", a, "type", "veth", "peer",
                 "name", b) and
              sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
              and sh("ip", "netns", "exec", ns, "ip", "link", "set", a, "up") and
              sh("ip", "netns", "exec", ns, "ip", "link", "set", b, "up"))
        report(ok, "live: veth pair %s/%s in namespace %s" % (a, b, ns))
        if not ok:
            return
        log = os.path.join(work, "live.log")
        out = open(os.path.join(work, "live.ft"), "wb")
        pidfile = os.path.join(work, "live.pid")
        p = subprocess.Popen(["ip", "netns", "exec", ns, SENSOR, "-i", b,
                              "-U", "nobody", "-P", pidfile],
                             stdout=out, stderr=open(log, "w"))
        procs.append(p)
        wait_for(lambda: os.path.exists(pidfile), 5)
        time.sleep(0.5)
        status = open("/proc/%d/status" % p.pid).read() if p.poll() is None else ""
        uid = re.search(r"Uid:\s+(\d+)", status)
        report(uid is not None and uid.group(1) != "0" and
               open(pidfile).read().strip() == str(p.pid),
               "live: pid file written, root dropped (-U nobody: uid %s)"
               % (uid.group(1) if uid else "?"))
        r = subprocess.run(["ip", "netns", "exec", ns, "tcpreplay", "-q", "-i", a, "--pps",
                            "40000", pcap], capture_output=True, timeout=60)
        time.sleep(0.5)
        p.send_signal(signal.SIGUSR1)
        wait_for(lambda: "STAT:" in open(log).read(), 3)
        p.send_signal(signal.SIGTERM)
        p.wait(10)
        out.close()
        text = open(log).read()
        st = stats(text)
        _, (pk, oc) = meter(pcap)
        with open(os.path.join(work, "live.ft"), "rb") as f:
            got = sensor_flows(to_json(f))
        report(r.returncode == 0 and totals(got) == (pk, oc) and st.get("kernel_drops") == "0",
               "live: tcpreplay into the veth, flow-sensor -i: %s packets/octets (pcap %s), "
               "kernel drops %s" % (totals(got), (pk, oc), st.get("kernel_drops")))
        report("STAT:" in text, "live: statistics on SIGUSR1")
        # detached (-w without -D): the parent returns once it runs
        wd = os.path.join(work, "live-files")
        os.makedirs(wd)
        os.chmod(wd, 0o777)
        pidfile = os.path.join(work, "daemon.pid")
        r = subprocess.run(["ip", "netns", "exec", ns, SENSOR, "-i", b, "-w", wd, "-N", "0",
                            "-P", pidfile], capture_output=True, timeout=20)
        up = wait_for(lambda: os.path.exists(pidfile), 5)
        report(r.returncode == 0 and up, "live daemon: detached, exit status %d, pid file %s"
               % (r.returncode, "written" if up else "missing"))
        if up:
            pid = int(open(pidfile).read())
            subprocess.run(["ip", "netns", "exec", ns, "tcpreplay", "-q", "-i", a, "--pps",
                            "40000", pcap], capture_output=True, timeout=60)
            time.sleep(0.5)
            os.kill(pid, signal.SIGTERM)
            wait_for(lambda: not os.path.exists("/proc/%d" % pid), 10)
            got, n = stored(wd)
            report(not os.path.exists(pidfile), "live daemon: pid file removed at exit")
            report(sum(f[7] for f in got) == pk and not files(wd, "tmp-"),
                   "live daemon: SIGTERM, %d packets in %d ft- files (pcap %d)"
                   % (sum(f[7] for f in got), n, pk))
    finally:
        sh("ip", "netns", "del", ns)


# ---- 5. malformed packets ---------------------------------------------------

def eth(t):
    return b"\x02" * 6 + b"\x04" * 6 + struct.pack("!H", t)


def ip4(total=40, prot=6, ihl=5, ver=4):
    return struct.pack("!BBHHHBBH4s4s", ver << 4 | ihl, 0, total, 1, 0, 64, prot, 0,
                       bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + b"\x01" * (ihl * 4 - 20)


def ip6(plen, nxt):
    return struct.pack("!IHBB", 6 << 28, plen, nxt, 64) + b"\x20\x01" + b"\0" * 13 + \
        b"\x01" + b"\x20\x01" + b"\0" * 13 + b"\x02"


TCP = struct.pack("!HHIIBBHHH", 1000, 80, 1, 0, 0x50, 0x02, 1000, 0, 0)


def test_malformed():
    good = eth(0x0800) + ip4() + TCP
    good6 = eth(0x86DD) + ip6(20, 6) + TCP
    bad = []
    for frame in (good, good6):
        bad += [frame[:n] for n in range(0, 14 + (20 if frame is good else 40))]
    bad += [eth(0x0800) + ip4(total=4000) + TCP,              # past the frame
            eth(0x0800) + ip4(ihl=3) + TCP,                    # header length 12
            eth(0x0800) + ip4(ihl=15)[:30],                    # options cut
            eth(0x0800) + ip4(ver=6) + TCP,
            eth(0x86DD) + ip6(2000, 6) + TCP,
            eth(0x86DD) + ip6(8 * 20, 60) + (b"\x3c\x00" + b"\0" * 6) * 20,   # loop
            eth(0x86DD) + ip6(16, 43) + b"\x06\xff" + b"\0" * 14,             # past end
            eth(0x8100) + (b"\x00\x01\x81\x00") * 50,
            eth(0x8847) + b"\x00\x01\x00\x40" * 50,
            eth(0x8847) + b"\x00\x01\x00\x40"]
    path = os.path.join(work, "bad.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(bad + [good, good6]):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)) + frame)
    got, st, rc = sense(path=path)
    report(rc == 0, "malformed pcap: exit status %d, no crash" % rc)
    report(st.get("malformed") == str(len(bad)),
           "malformed packets counted: %s of %d" % (st.get("malformed"), len(bad)))
    reasons = [k for k in ("link_short", "ip_short", "ip_len", "ip_hdrlen", "ip_version",
                           "ext_deep", "ext_short", "vlan_deep", "mpls_deep") if k in st]
    report(len(reasons) == 9, "counted by reason: %s" % ", ".join(reasons))
    report(len(got) == 2 and totals(got) == (2, 100),
           "only the 2 good packets make flows (%d flows, %s)" % (len(got), totals(got)))


try:
    if not all((SENSOR, PRINT, CAPTURE, CAT)):
        report(False, "programs built (flow-sensor, flow-print, flow-capture, flow-cat)")
    else:
        pcap = mkpcap("t.pcap", "--seed", "3", "--flows", "600", "--duration", "90",
                      "--ipv6-share", "0.2")
        test_meter(pcap)
        test_softflowd(pcap)
        test_export(pcap)
        test_live()
        test_malformed()
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(work, ignore_errors=True)
finish("sensor")
PYTHON

#!/bin/sh
# exporters.sh BUILD_DIR - real NetFlow/IPFIX exporters feeding flow-capture on
# the loopback interface.
#
# softflowd (v5, v9, IPFIX) and pmacctd's nfprobe plugin (v5, v9) read one pcap
# made by ../shared/tools/mkpcap.py and export to a flow-capture listening on
# 127.0.0.1 (a port found free at run time).  The files it writes are read back
# with flow-cat | flow-print -f csv and compared with
#   - what the exporter says it sent (softflowd's end-of-run statistics), and
#   - a count of the same traffic made here, independently of both, straight
#     from the pcap: packets and IP-length octets per directional 5-tuple
#     (ICMP: type and code in the destination port, as both exporters key it).
# Nothing may be dropped on the way: the collector's exit STAT line and every
# file header must show no corrupt, lost or refused datagrams.
#
# Installs softflowd and pmacct with apt-get when they are missing.
# Every wait is bounded; every process started here is killed at the end.
# Prints one line per check and "exporters: N passed, M failed".

build=${1:-.}
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}

missing=
command -v softflowd >/dev/null 2>&1 || missing="$missing softflowd"
command -v pmacctd >/dev/null 2>&1 || missing="$missing pmacct"
if [ -n "$missing" ]; then
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    echo "exporters: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq $missing >/dev/null 2>&1 ||
        { $sudo apt-get update -qq >/dev/null 2>&1 &&
          $sudo apt-get install -y -qq $missing >/dev/null 2>&1; } ||
        echo "exporters: could not install$missing"
fi

exec python3 - "$build" "$shared" "$here" <<'PYTHON'
import csv, ipaddress, os, re, shutil, signal, struct, subprocess
import sys, tempfile, time

build, shared = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[3])
from lib import report, finish, tool, free_port, stop, kill_all, udp_socket_state, pcap_ip_packets  # noqa: E402
T0 = time.time()
BUDGET = 100.0          # seconds for the whole script; waits are cut to fit
procs = []
groups = []         # process groups of exporters


def left(cap):
    """A wait of at most cap seconds that still fits in the script's budget."""
    return max(0.5, min(cap, BUDGET - (time.time() - T0)))


def on_signal(sig, frame):
    raise SystemExit("exporters: interrupted by signal %d" % sig)


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)
signal.signal(signal.SIGHUP, on_signal)

# ---- the independent count: flows straight from the input pcap --------------


def pcap_flows(path, ipv6):
    """{(src, dst, proto, sport, dport): [packets, octets]} of a pcap, keyed and
    counted the way softflowd and pmacct's nfprobe do it: one record per
    direction, octets = the IP length (IPv6: payload length + 40), ICMP's type
    and code in the destination port.  IPv6 packets are left out for v5."""
    flows = {}
    for _, etype, pkt, p in pcap_ip_packets(path):
        if etype == 0x0800:
            octets = struct.unpack("!H", pkt[p + 2:p + 4])[0]
            if struct.unpack("!H", pkt[p + 6:p + 8])[0] & 0x3FFF:
                raise ValueError("%s: IP fragments are not counted here" % path)
            proto = pkt[p + 9]
            src, dst = pkt[p + 12:p + 16], pkt[p + 16:p + 20]
            l4 = p + (pkt[p] & 15) * 4
        else:
            if not ipv6:
                continue
            octets = struct.unpack("!H", pkt[p + 4:p + 6])[0] + 40
            proto = pkt[p + 6]
            src, dst = pkt[p + 8:p + 24], pkt[p + 24:p + 40]
            l4 = p + 40
        sport = dport = 0
        if proto in (6, 17):
            sport, dport = struct.unpack("!HH", pkt[l4:l4 + 4])
        elif proto in (1, 58):
            dport = pkt[l4] << 8 | pkt[l4 + 1]
        key = (ipaddress.ip_address(src), ipaddress.ip_address(dst), proto, sport, dport)
        c = flows.setdefault(key, [0, 0])
        c[0] += 1
        c[1] += octets
    return flows


def totals(flows):
    return (len(flows), sum(c[0] for c in flows.values()),
            sum(c[1] for c in flows.values()))


def csv_flows(text):
    """(rows, flows) of flow-print -f csv output, keyed as pcap_flows keys them."""
    table = list(csv.reader(text.splitlines()))
    if not table:
        return 0, {}
    cols = table[0]
    for need in ("srcaddr", "dstaddr", "proto", "srcport", "dstport", "packets", "octets"):
        if need not in cols:
            raise ValueError("flow-print -f csv has no %s column" % need)
    flows = {}
    for v in table[1:]:
        if len(v) != len(cols):
            raise ValueError("csv row of %d fields under a header of %d: %s"
                             % (len(v), len(cols), ",".join(v)))
        row = dict(zip(cols, v))
        proto = int(row["proto"])
        sport, dport = int(row["srcport"] or 0), int(row["dstport"] or 0)
        if proto in (1, 58) and row.get("icmp_type"):   # v9/IPFIX carry ICMP apart
            sport, dport = 0, int(row["icmp_type"]) << 8 | int(row.get("icmp_code") or 0)
        key = (ipaddress.ip_address(row["srcaddr"]), ipaddress.ip_address(row["dstaddr"]),
               proto, sport, dport)
        c = flows.setdefault(key, [0, 0])
        c[0] += int(row["packets"])
        c[1] += int(row["octets"])
    return len(table) - 1, flows


def differences(want, got):
    """Keys whose packets/octets differ, as short text, at most 3 shown."""
    bad = [k for k in set(want) | set(got) if want.get(k) != got.get(k)]
    show = []
    for k in sorted(bad, key=str)[:3]:
        show.append("%s>%s p%d %d/%d: want %s got %s" % (k[0], k[1], k[2], k[3], k[4],
                                                        want.get(k), got.get(k)))
    return len(bad), "; ".join(show)


# ---- processes, ports ------------------------------------------------------


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def group_alive(pgid):
    """Whether a process of process group pgid still exists."""
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
            except OSError:
                continue
            if int(st[st.rindex(")") + 2:].split()[2]) == pgid:
                return True
    return False


def run_exporter(cmd, timeout):
    """Runs an exporter in its own process group (pmacctd forks its plugins);
    (exit status, output).  The whole group is killed if it overstays."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, start_new_session=True)
    groups.append(p.pid)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        return "timeout after %.0f s" % timeout, out
    finally:
        end = time.time() + 5   # a plugin left behind by its parent: let it
        while group_alive(p.pid) and time.time() < end:    # finish, then kill it
            time.sleep(0.05)
        if group_alive(p.pid):
            os.killpg(p.pid, signal.SIGKILL)
        groups.remove(p.pid)
    return p.returncode, out


def start_capture(wd, log):
    """flow-capture -D on a free port of 127.0.0.1; (process, port) once it listens."""
    for _ in range(3):                 # another program may take the port first
        port = free_port()
        with open(log, "w") as err:
            p = subprocess.Popen([CAPTURE, "-D", "-w", wd, "127.0.0.1/0/%d" % port],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=err)
        procs.append(p)
        end = time.time() + left(5)
        while time.time() < end and p.poll() is None:
            if "listening on port %d" % port in read(log) and udp_socket_state(port):
                return p, port
            time.sleep(0.05)
        stop(p, signal.SIGKILL)
    raise RuntimeError("flow-capture did not start: " + read(log).strip()[-300:])


def drain(port, timeout):
    """Wait until the collector has read every queued datagram; the kernel's
    drop count of its socket (None when the socket is gone)."""
    end = time.time() + timeout
    st = udp_socket_state(port)
    quiet = 0
    while st and time.time() < end:
        quiet = quiet + 1 if st[0] == 0 else 0
        if quiet >= 3:
            break
        time.sleep(0.1)
        st = udp_socket_state(port)
    return st


# counters of the exit STAT line that must be 0 (lost and misordered come from
# sequence numbers, see SOFTFLOWD_IPFIX_SEQ)
MUST_BE_ZERO = ("corrupt", "refused", "truncated", "lost", "misordered", "reset",
                "queue_drops", "write_drops", "write_errors")
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:")


def exit_stat(log):
    """Counters of flow-capture's last "STAT (exit):" line, and its text."""
    lines = [l for l in read(log).splitlines() if "STAT (exit):" in l]
    if not lines:
        return None, ""
    line = lines[-1]
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}, line


def header_fields(path):
    with open(path, "rb") as f:
        r = subprocess.run([HEADER], stdin=f, capture_output=True, text=True,
                           timeout=left(20))
    h = {}
    for line in r.stdout.splitlines():
        m = re.match(r"#\s*([a-z ]+):\s*(.*)$", line)
        if m:
            h[m.group(1).strip()] = m.group(2).strip()
    return r.returncode, h


# ---- the exporters ---------------------------------------------------------


def softflowd(version):
    def run(port, case_dir):
        cmd = ["softflowd", "-d", "-a", "-r", PCAP, "-c", "none",
               "-p", os.path.join(case_dir, "softflowd.pid"),
               "-n", "127.0.0.1:%d" % port, "-v", version]
        rc, out = run_exporter(cmd, left(30))
        said = {}
        m = re.search(r"Flows exported: (\d+) \((\d+) records\) in (\d+) packets "
                      r"\((\d+) failures\)", out)
        if m:
            said = dict(flows=int(m.group(1)), records=int(m.group(2)),
                        datagrams=int(m.group(3)), failures=int(m.group(4)))
            # per-protocol totals of every expired flow: the packets and
            # octets of all records together
            prot = re.findall(r"^\s+\S+ \(\d+\):\s+(\d+)\s+(\d+)\s", out, re.M)
            said["octets"] = sum(int(o) for o, _ in prot)
            said["packets"] = sum(int(p) for _, p in prot)
        return rc, said, out.strip()
    return run


def pmacctd(version):
    def run(port, case_dir):
        conf = os.path.join(case_dir, "pmacctd.conf")
        log = os.path.join(case_dir, "pmacctd.log")
        with open(conf, "w") as f:
            f.write("daemonize: false\n"
                    "pcap_savefile: %s\n"
                    "plugins: nfprobe\n"
                    "nfprobe_receiver: 127.0.0.1:%d\n"
                    "nfprobe_version: %s\n"
                    "logfile: %s\n" % (PCAP, port, version, log))
        rc, out = run_exporter(["pmacctd", "-f", conf], left(30))
        text = (out + read(log)).strip()
        # pmacct reports no totals; its log must at least be free of errors
        return rc, {"complaints": re.findall(r".*\b(?:ERROR|WARN)\b.*", text)}, text
    return run


def check_headers(name, paths, want_flows, lost_note):
    """flow-header of every finished file: the flows add up, nothing corrupt."""
    flows, bad = 0, []
    fields = ["corrupt packets", "sequencer resets"] + ([] if lost_note else ["lost flows"])
    for path in paths:
        rc, h = header_fields(path)
        flows += int(h.get("capture flows", "-1"))
        bad += ["%s %s=%s" % (os.path.basename(path), f, h.get(f))
                for f in fields if h.get(f) != "0" or rc != 0]
    report(not bad and flows == want_flows,
           "%s: flow-header: %d flows, no %s%s" % (name, flows, ", ".join(fields),
                                                  ": " + ", ".join(bad[:4]) if bad else ""))


def run_case(name, exporter, ipv6, lost_note):
    wd = os.path.join(work, name, "flows")
    os.makedirs(wd)
    log = os.path.join(work, name, "flow-capture.log")
    want = EXPECT[ipv6]
    wn, wp, wo = totals(want)
    cap, port = start_capture(wd, log)
    try:
        rc, said, text = exporter(port, os.path.dirname(wd))
        report(rc == 0, "%s: exporter ran and exited 0 (exit %s)%s"
               % (name, rc, "" if rc == 0 else ": " + text[-300:].replace("\n", " | ")))
        st = drain(port, left(10))
        report(st is not None and st[0] == 0 and st[1] == 0,
               "%s: collector socket read empty, no kernel drops (rx_queue, drops = %s)"
               % (name, st))
    finally:
        crc = stop(cap, timeout=left(10))
    report(crc == 0, "%s: flow-capture stopped by SIGTERM, exit %s" % (name, crc))

    if "complaints" in said:
        gripes = said["complaints"]
        report(not gripes, "%s: no ERROR or WARN in the exporter's log%s"
               % (name, ": " + " | ".join(gripes[:3]) if gripes else ""))
    if "records" in said:
        report(said["records"] == wn and said["packets"] == wp and said["octets"] == wo
               and said["failures"] == 0,
               "%s: exporter says it sent %d records, %d packets, %d octets, %d failures; "
               "the pcap holds %d, %d, %d" % (name, said["records"], said["packets"],
                                              said["octets"], said["failures"], wn, wp, wo))

    stat, line = exit_stat(log)
    if not report(stat is not None, "%s: flow-capture's exit STAT line" % name):
        return
    exempt = ("lost", "misordered") if lost_note else ()
    bad = {k: stat.get(k) for k in MUST_BE_ZERO if stat.get(k) != 0 and k not in exempt}
    report(not bad and " drops:" not in line,
           "%s: nothing malformed, refused or lost (%s)" % (name, bad or "all 0"))
    if lost_note:
        print("     %s: lost=%s misordered=%s not checked: %s"
              % (name, stat.get("lost"), stat.get("misordered"), lost_note))
    report(not SANITIZER.search(read(log)), "%s: no sanitizer report from flow-capture" % name)
    if "datagrams" in said:
        report(stat.get("datagrams") == said["datagrams"],
               "%s: collector got %s datagrams, exporter sent %d"
               % (name, stat.get("datagrams"), said["datagrams"]))
    report(stat.get("flows") == wn, "%s: collector decoded %s flows, want %d"
           % (name, stat.get("flows"), wn))

    done, partial = [], []
    for d, _, names in os.walk(wd):
        done += [os.path.join(d, n) for n in names if n.startswith("ft-")]
        partial += [os.path.join(d, n) for n in names if n.startswith("tmp-")]
    report(done and not partial, "%s: %d finished ft- files, %d tmp- files left"
           % (name, len(done), len(partial)))
    if HEADER:          # (a missing program has failed once already)
        check_headers(name, done, wn, lost_note)
    if not (CAT and PRINT):
        return
    cat = subprocess.Popen([CAT, wd], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pr = subprocess.run([PRINT, "-f", "csv"], stdin=cat.stdout, capture_output=True,
                        text=True, timeout=left(30))
    cat.stdout.close()
    cat_err = cat.stderr.read().decode(errors="replace")  # sanitizer reports land here too
    cat.wait(left(10))
    errors = (cat_err + pr.stderr).strip()
    if not report(cat.returncode == 0 and pr.returncode == 0 and not errors,
                  "%s: flow-cat | flow-print -f csv read the files (exit %s, %s)%s"
                  % (name, cat.returncode, pr.returncode,
                     ": " + errors[-300:] if errors else "")):
        return
    rows, got = csv_flows(pr.stdout)
    gp = sum(c[0] for c in got.values())
    go = sum(c[1] for c in got.values())
    report(rows == wn and gp == wp and go == wo,
           "%s: read back %d flows, %d packets, %d octets; want %d, %d, %d"
           % (name, rows, gp, go, wn, wp, wo))
    n, show = differences(want, got)
    report(n == 0, "%s: packets and octets of every 5-tuple as in the pcap (%d differ%s)"
           % (name, n, ": " + show if show else ""))


# ---- main ------------------------------------------------------------------

CAPTURE, CAT, PRINT, HEADER = (tool(build, n) for n in
                               ("flow-capture", "flow-cat", "flow-print", "flow-header"))
work = tempfile.mkdtemp(prefix="ftkit-exporters-")
PCAP = os.path.join(work, "input.pcap")
# softflowd 1.1.0 gives an IPFIX message the sequence number of the data
# records sent up to and including its own (RFC 7011: those sent before it), so
# a collector that follows the RFC sees gaps and steps back where nothing is
# missing (Wireshark flags the same in ../shared/captures/exporters/expected/
# softflowd-v10.packets.jsonl); there the per-5-tuple comparison is what shows
# that nothing was lost.
SOFTFLOWD_IPFIX_SEQ = ("softflowd's IPFIX sequence numbers count the message's "
                       "own records (RFC 7011: only earlier ones)")
CASES = [("softflowd-v5", softflowd("5"), False, None),
         ("softflowd-v9", softflowd("9"), True, None),
         ("softflowd-ipfix", softflowd("10"), True, SOFTFLOWD_IPFIX_SEQ),
         ("pmacctd-v5", pmacctd("5"), False, None),
         ("pmacctd-v9", pmacctd("9"), True, None)]
try:
    missing = [n for n, p in (("flow-capture", CAPTURE), ("flow-cat", CAT),
                              ("flow-print", PRINT), ("flow-header", HEADER)) if not p]
    have_sf = shutil.which("softflowd") is not None
    have_pm = shutil.which("pmacctd") is not None
    report(not missing, "programs built in %s%s" % (build, missing and ": missing " +
                                                    " ".join(missing) or ""))
    report(have_sf and have_pm, "softflowd and pmacctd installed")
    # a fixed seed: the same traffic every run, a few thousand flows in 40 s of
    # trace (shorter than every exporter timeout, so each 5-tuple is one flow)
    r = subprocess.run([sys.executable, os.path.join(shared, "tools", "mkpcap.py"),
                        "-o", PCAP, "--seed", "11", "--flows", "1500", "--duration", "40",
                        "--ipv6-share", "0.3", "--snaplen", "128"],
                       capture_output=True, text=True, timeout=left(30))
    if report(r.returncode == 0 and os.path.exists(PCAP),
              "input pcap from mkpcap.py%s" % (": " + r.stderr.strip()[-300:]
                                              if r.returncode else "")):
        EXPECT = {False: pcap_flows(PCAP, False), True: pcap_flows(PCAP, True)}
        print("     pcap: IPv4 %d flows, %d packets, %d octets; with IPv6 %d, %d, %d"
              % (totals(EXPECT[False]) + totals(EXPECT[True])))
        # the comparison itself must see a flow that went missing
        some = dict(EXPECT[True])
        some.pop(next(iter(some)))
        report(differences(EXPECT[True], some)[0] == 1,
               "comparison notices one missing flow")
        if CAPTURE:
            for name, exporter, ipv6, lost_note in CASES:
                if (name.startswith("soft") and not have_sf) or \
                        (name.startswith("pmacct") and not have_pm):
                    report(False, "%s: exporter not installed" % name)
                    continue
                try:
                    run_case(name, exporter, ipv6, lost_note)
                except Exception as e:   # one broken case must not hide the others
                    report(False, "%s: %s: %s" % (name, type(e).__name__, e))
    took = time.time() - T0
    report(took < 110, "finished in %.1f s" % took)
finally:
    for pgid in groups:
        if group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)
    kill_all(procs)
    if os.environ.get("FTKIT_KEEP"):
        print("     work directory kept: " + work)
    else:
        shutil.rmtree(work, ignore_errors=True)
finish("exporters")
PYTHON

#!/usr/bin/env python3
"""flows.py: many flows at once, each checked whole and in order.

  flows.py udp-recv ADDR PORT FLOWS COUNT
      Receive UDP on ADDR:PORT until COUNT datagrams came from each of
      FLOWS flows (source ports), or 5 s pass without one (30 s
      before the first).  Prints
      "flows=F frames=N missing=M reorder=R": missing counts the
      datagrams short of COUNT per flow, reorder those whose sequence
      number is not above the one before in their flow.
  flows.py udp-send ADDR PORT FLOWS COUNT SPORT
      COUNT rounds; in each, flow f (source port SPORT + f) sends its
      next sequence number to ADDR:PORT.
  flows.py tcp-recv ADDR PORT CONNS
      Accept CONNS connections, read each to its end; prints the sha256
      and length of each, sorted.
  flows.py tcp-send ADDR PORT CONNS BYTES
      CONNS connections at once, each sending BYTES random bytes; prints
      the sha256 and length of each, sorted.
"""
import hashlib
import os
import socket
import struct
import sys
import threading
import time


def udp_recv(addr, port, flows, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)    # SO_RCVBUFFORCE
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((addr, port))
    s.settimeout(30)            # the senders may be slow to start
    print("ready", flush=True)
    got = {}
    last = {}
    frames = reorder = 0
    while sum(min(v, count) for v in got.values()) < flows * count:
        try:
            data, src = s.recvfrom(2048)
        except socket.timeout:
            break
        if len(data) < 6:
            continue
        flow, seq = struct.unpack(">HI", data[:6])
        s.settimeout(5)
        frames += 1
        if seq <= last.get(flow, -1):
            reorder += 1
        last[flow] = seq
        got[flow] = got.get(flow, 0) + 1
    missing = sum(max(count - got.get(f, 0), 0) for f in range(flows))
    print("flows=%d frames=%d missing=%d reorder=%d" %
          (len(got), frames, missing, reorder), flush=True)


def udp_send(addr, port, flows, count, sport):
    socks = []
    for f in range(flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("", sport + f))
        socks.append(s)
    for seq in range(count):
        for f, s in enumerate(socks):
            pad = b"x" * (18 + (seq * 7 + f) % 200)
            s.sendto(struct.pack(">HI", f, seq) + pad, (addr, port))
        time.sleep(0.002)       # about 32,000 datagrams a second


def tcp_recv(addr, port, conns):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(conns)
    ls.settimeout(30)
    print("ready", flush=True)
    out = []
    lock = threading.Lock()

    def one(c):
        h = hashlib.sha256()
        n = 0
        c.settimeout(30)
        while True:
            b = c.recv(65536)
            if not b:
                break
            h.update(b)
            n += len(b)
        c.close()
        with lock:
            out.append("%s %d" % (h.hexdigest(), n))

    threads = []
    for _ in range(conns):
        c, _ = ls.accept()
        t = threading.Thread(target=one, args=(c,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    for line in sorted(out):
        print(line)


def tcp_send(addr, port, conns, nbytes):
    out = []
    lock = threading.Lock()

    def one():
        data = os.urandom(nbytes)
        c = socket.create_connection((addr, port), timeout=30)
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        c.recv(1)           # the far end closes once it has read all
        c.close()
        with lock:
            out.append("%s %d" % (hashlib.sha256(data).hexdigest(), nbytes))

    threads = [threading.Thread(target=one) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for line in sorted(out):
        print(line)


def main(argv):
    cmd, a = argv[1], argv[2:]
    if cmd == "udp-recv":
        udp_recv(a[0], int(a[1]), int(a[2]), int(a[3]))
    elif cmd == "udp-send":
        udp_send(a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4]))
    elif cmd == "tcp-recv":
        tcp_recv(a[0], int(a[1]), int(a[2]))
    elif cmd == "tcp-send":
        tcp_send(a[0], int(a[1]), int(a[2]), int(a[3]))
    else:
        sys.exit("usage: see the top of " + argv[0])


if __name__ == "__main__":
    main(sys.argv)

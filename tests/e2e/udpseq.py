#!/usr/bin/env python3
"""udpseq.py: numbered UDP datagrams, for counting what arrives.

udpseq.py send ADDR PORT RATE SECONDS OUT: send RATE datagrams a second
for SECONDS, numbered from 0; writes "sent=N" to OUT.
udpseq.py recv ADDR PORT STOPFILE OUT: count them until STOPFILE exists
and nothing came for a second; writes "received=N dups=D max=M" to OUT.
"""
import os
import socket
import struct
import sys
import time


def send(addr, port, rate, seconds, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pad = b"u" * 100
    n = 0
    t0 = time.monotonic()
    end = t0 + seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = t0 + n / rate
        if due > now:
            time.sleep(due - now)
            continue
        s.sendto(struct.pack(">Q", n) + pad, (addr, port))
        n += 1
    with open(out, "w") as f:
        f.write("sent=%d\n" % n)


def recv(addr, port, stopfile, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((addr, port))
    s.settimeout(1.0)
    seen = set()
    dups = 0
    top = -1
    while True:
        try:
            data = s.recv(2048)
        except socket.timeout:
            if os.path.exists(stopfile):
                break
            continue
        if len(data) < 8:
            continue
        n = struct.unpack(">Q", data[:8])[0]
        if n in seen:
            dups += 1
        seen.add(n)
        top = max(top, n)
    with open(out, "w") as f:
        f.write("received=%d dups=%d max=%d\n" % (len(seen), dups, top))


if sys.argv[1] == "send":
    send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]),
         float(sys.argv[5]), sys.argv[6])
else:
    recv(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])

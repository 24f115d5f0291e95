#!/usr/bin/env python3
"""notify_listen.py SOCKET OUT [TIMED]: a NOTIFY_SOCKET as systemd has it.

Binds a unix datagram socket at SOCKET (mode 0666, as systemd's, so the
daemon can still send after dropping root) and appends every message to
OUT, one line per message with its newlines shown as '|', until killed;
with TIMED, each line starts with the wall-clock time it came, in seconds.
"""
import os
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
timed = len(sys.argv) > 3
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    while True:
        msg = s.recv(4096).decode("utf-8", "replace")
        if timed:
            f.write("%.3f " % time.time())
        f.write(msg.replace("\n", "|") + "\n")

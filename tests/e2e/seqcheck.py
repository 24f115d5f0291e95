#!/usr/bin/env python3
"""seqcheck.py FILE.pcap: the emulated generators' frames in a pcap file.

Prints one line per stream: "stream=S frames=N first=A last=B gaps=G
reorder=R gaps_at=SEQ+LEN,...", where gaps counts the sequence numbers missing between first
and last.  Frames that are not generator frames are counted as other=N.
"""
import struct
import sys


def main(path):
    streams = {}
    other = 0
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            print("other=0")
            return
        magic = struct.unpack("<I", hdr[:4])[0]
        endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                break
            _, _, incl, _ = struct.unpack(endian + "IIII", rh)
            frame = f.read(incl)
            if (len(frame) < 32 or frame[12:14] != b"\x88\xb5" or
                    frame[14:18] != b"IXGN"):
                other += 1
                continue
            s = struct.unpack(">I", frame[18:22])[0]
            seq = struct.unpack(">Q", frame[24:32])[0]
            st = streams.setdefault(s, {"n": 0, "first": seq, "last": seq,
                                        "gaps": 0, "reorder": 0,
                                        "at": []})
            if st["n"] > 0:
                if seq <= st["last"]:
                    st["reorder"] += 1
                    continue
                if seq - st["last"] > 1 and len(st["at"]) < 5:
                    st["at"].append("%d+%d" % (st["last"] + 1,
                                               seq - st["last"] - 1))
                st["gaps"] += seq - st["last"] - 1
                st["last"] = seq
            st["n"] += 1
    for s in sorted(streams):
        st = streams[s]
        print("stream=%d frames=%d first=%d last=%d gaps=%d reorder=%d "
              "gaps_at=%s" % (s, st["n"], st["first"], st["last"],
                              st["gaps"], st["reorder"],
                              ",".join(st["at"]) or "-"))
    print("other=%d" % other)


main(sys.argv[1])

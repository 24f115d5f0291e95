#!/usr/bin/env python3
# tests/fuzz/mkseeds.py: write the frame and pcap seeds of
# tests/fuzz/corpus/{packet,pcap_wire} (run from the tree's top; the
# files are in git, this says how they were made).
import struct

def eth(t, dst=b'\xff' * 6, src=b'\x02\0\0\0\0\x01'):
    return dst + src + struct.pack('>H', t)

def ip4(proto, payload, src=b'\x0a\0\0\x01', dst=b'\xc0\xa8\x01\x02', frag=0):
    return struct.pack('>BBHHHBBH', 0x45, 0, 20 + len(payload), 1, frag, 64,
                       proto, 0) + src + dst + payload

def ip6(nh, payload, src=b'\xfe\x80' + b'\0' * 13 + b'\x01',
        dst=b'\x20\x01\x0d\xb8' + b'\0' * 11 + b'\x02'):
    return struct.pack('>IHBB', 0x60000000, len(payload), nh, 64) + src + dst + payload

tcp = struct.pack('>HHIIBBHHH', 40000, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
udp = struct.pack('>HHHH', 5353, 53, 12, 0) + b'\x12\x34\x56\x78'
icmp = struct.pack('>BBHHH', 8, 0, 0, 1, 1) + b'ping'
frames = {
    'ipv4_tcp_syn': eth(0x0800) + ip4(6, tcp),
    'ipv4_udp_dns': eth(0x0800) + ip4(17, udp),
    'ipv4_icmp_echo': eth(0x0800) + ip4(1, icmp),
    'ipv4_fragment': eth(0x0800) + ip4(17, udp, frag=0x0010),
    'vlan100_ipv4_udp': eth(0x8100) + struct.pack('>HH', 100, 0x0800) + ip4(17, udp),
    'qinq_ipv4_tcp': eth(0x88a8) + struct.pack('>HHHH', 10, 0x8100, 20, 0x0800) + ip4(6, tcp),
    'ipv6_tcp': eth(0x86dd) + ip6(6, tcp),
    'ipv6_hopbyhop_udp': eth(0x86dd) + ip6(0, bytes([17, 0, 1, 4, 0, 0, 0, 0]) + udp),
    'ipv6_icmp6': eth(0x86dd) + ip6(58, bytes([128, 0, 0, 0, 0, 1, 0, 1])),
    'arp_request': eth(0x0806) + struct.pack('>HHBBH', 1, 0x0800, 6, 4, 1) +
                   b'\x02\0\0\0\0\x01\x0a\0\0\x01' + b'\0' * 6 + b'\x0a\0\0\x02',
    'lldp': eth(0x88cc, dst=b'\x01\x80\xc2\0\0\x0e') + b'\x02\x07\x04' + b'\0' * 6,
    'runt': eth(0x0800)[:10],
    'jumbo_ipv4_udp': eth(0x0800) + ip4(17, struct.pack('>HHHH', 1, 2, 8 + 9000, 0) + b'\xab' * 9000),
}
for name, f in frames.items():
    with open('tests/fuzz/corpus/packet/' + name, 'wb') as o:
        o.write(b'\0' + f)

def pcap(frames, snap=65535, link=1):
    out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snap, link)
    for i, f in enumerate(frames):
        out += struct.pack('<IIII', i, 0, len(f), len(f)) + f
    return out

with open('tests/fuzz/corpus/pcap_wire/three_frames.pcap', 'wb') as o:
    o.write(pcap([frames['ipv4_tcp_syn'], frames['vlan100_ipv4_udp'], frames['ipv6_tcp']]))
with open('tests/fuzz/corpus/pcap_wire/short_and_jumbo.pcap', 'wb') as o:
    o.write(pcap([frames['runt'], frames['jumbo_ipv4_udp'], frames['arp_request']]))
with open('tests/fuzz/corpus/pcap_wire/empty.pcap', 'wb') as o:
    o.write(pcap([]))

# BPF programs as tcpdump compiles them (tcpdump -ddd), each followed by
# a frame: tests/fuzz/corpus/bpf.
import subprocess
exprs = {'tcp_port_80': ('tcp port 80', 'ipv4_tcp_syn'),
         'vlan_udp': ('vlan and udp', 'vlan100_ipv4_udp'),
         'ip6_tcp': ('ip6 and tcp', 'ipv6_tcp'),
         'arithmetic': ('ip[2:2] * 3 / 2 - 1 > 60 and ip[0] & 0xf != 5', 'ipv4_udp_dns'),
         'net_or_arp': ('net 10.0.0.0/8 or arp', 'arp_request')}
for name, (e, fr) in exprs.items():
    out = subprocess.run(['tcpdump', '-ddd', e], capture_output=True,
                         text=True, check=True).stdout.split('\n')
    n = int(out[0])
    prog = b''
    for line in out[1:1 + n]:
        c, jt, jf, k = (int(x) for x in line.split())
        prog += struct.pack('<HBBI', c, jt, jf, k)
    with open('tests/fuzz/corpus/bpf/' + name, 'wb') as o:
        o.write(bytes([n - 1]) + prog + frames[fr])

# Frames with rules (fuzz_packet's rule bytes, RULE_BYTES each).
def rule(action, match, proto=0, src=(4, 0, b''), dst=(4, 0, b''),
         dport=(0, 65535), vlan=0, flags=(0, 0), icmp=0):
    b = bytearray(68)
    b[0] = action
    b[1:3] = struct.pack('<H', match)
    b[17:19] = struct.pack('<H', vlan)
    for off, (af, plen, addr) in ((19, src), (37, dst)):
        b[off] = 1 if af == 6 else 0
        b[off + 1] = plen
        b[off + 2:off + 2 + len(addr)] = addr
    b[55] = proto
    b[56], b[57] = flags
    b[58] = icmp
    b[59:63] = struct.pack('<HH', 0, 65535)
    b[63:67] = struct.pack('<HH', *dport)
    return bytes(b)

with open('tests/fuzz/corpus/packet/rules_tcp80_net10', 'wb') as o:
    o.write(bytes([2 | 4]) + rule(0, 0x0140, proto=6, dport=(80, 80)) +
            rule(1, 0x0010, src=(4, 8, b'\x0a')) + frames['ipv4_tcp_syn'])
with open('tests/fuzz/corpus/packet/rules_vlan_icmp6', 'wb') as o:
    o.write(bytes([3]) + rule(1, 0x0008, vlan=100) +
            rule(0, 0x0440, proto=58, icmp=128) +
            rule(1, 0x0020, dst=(6, 32, b'\x20\x01\x0d\xb8')) +
            frames['ipv6_icmp6'])

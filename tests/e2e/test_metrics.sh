#!/bin/sh
# test_metrics.sh: GET /metrics (metrics: { listen: }) from a running
# daemon, in its own namespace (ixm-) so that its TCP port is its own:
# promtool accepts the exposition, counters equal the JSON stats and the
# number of frames the generator sent, each TX queue has its series,
# labelled with the worker sending on it, equal to the JSON's, other paths
# are 404, a bad listen address is a configuration error with its line
# and column.
. "$(dirname "$0")/lib.sh"

CTL=${IXFWDCTL:-$BUILD/ixfwdctl}
S=$WORK/ctl.sock
NS=ixm-fwd
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	ip netns del $NS 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

need_root metrics
[ -x "$IXFWD" ] && [ -x "$CTL" ] || { fail metrics "not built (make)"; exit 1; }
for tool in curl promtool python3; do
	command -v $tool >/dev/null || { skip metrics "$tool is not installed (make deps)"; exit 0; }
done
hugepages 64
ip netns del $NS 2>/dev/null
ip netns add $NS
ip netns exec $NS ip link set lo up

N=3000
M=500
# g2 (worker 2) also sends to g1: g1 has two TX queues, 0 worker 0's
# (g0's), 1 worker 2's
cat >"$WORK/m.yaml" <<EOT
ports:
  - { name: g0, device: emulated, wire: { generator: { size: 64, count: $N, rate: 10000 } } }
  - { name: g1, device: emulated, wire: { pcap_out: $WORK/g1.pcap } }
  - { name: g2, device: emulated, wire: { generator: { size: 100, count: $M, rate: 10000 } } }
forward:
  - { from: g0, to: g1, rules: [ { action: drop, proto: tcp }, { action: pass } ] }
  - { from: g2, to: g1 }
capture:
  - { name: c0, port: g0, sample: 100, file: "$WORK/c0.pcap" }
metrics: { listen: "127.0.0.1:9477" }
EOT
check metrics_config_check sh -c "'$IXFWD' -t -c '$WORK/m.yaml' | grep -qx 'configuration OK'"
sed 's/127.0.0.1:9477/127.0.0.1:70000/' "$WORK/m.yaml" >"$WORK/bad.yaml"
out=$("$IXFWD" -t -c "$WORK/bad.yaml" 2>&1)
echo "$out" | grep -q "bad.yaml:10:20: listen: expected an address and a port" &&
    pass metrics_bad_listen || fail metrics_bad_listen "$out"

ip netns exec $NS "$IXFWD" -c "$WORK/m.yaml" -s "$S" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
wait_for "$WORK/ixfwd.log" "forwarding:" 30 || { fail metrics_start "$(tail -n 3 "$WORK/ixfwd.log")"; exit 1; }
i=0
while [ "$("$CTL" -s "$S" stats --json g0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ports"][0]["rx_packets"])')" -lt $N ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
i=0
while [ "$("$CTL" -s "$S" stats --json g1 | python3 -c 'import json,sys; p = json.load(sys.stdin)["ports"][0]; print(p["tx_packets"] + p["drops"]["tx_full"])')" -lt $((N + M)) ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 0.5

ip netns exec $NS curl -sf -o "$WORK/metrics.txt" -D "$WORK/headers.txt" http://127.0.0.1:9477/metrics
rc=$?
[ $rc = 0 ] && grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/headers.txt" &&
    pass metrics_served || fail metrics_served "curl exit $rc: $(head -n 3 "$WORK/headers.txt" | tr '\r\n' '  ')"
out=$(promtool check metrics <"$WORK/metrics.txt" 2>&1)
[ $? = 0 ] && pass metrics_promtool || fail metrics_promtool "$(echo "$out" | head -n 5 | tr '\n' '|')"
m=$(sed -n 's/^ixfwd_port_rx_packets_total{port="g0"} //p' "$WORK/metrics.txt")
j=$("$CTL" -s "$S" stats --json g0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ports"][0]["rx_packets"])')
[ "$m" = "$j" ] && [ "$m" = $N ] && pass metrics_match_json || fail metrics_match_json "metrics $m, json $j, sent $N"
for want in 'ixfwd_port_drops_total{port="g0",reason="filtered"} 0' \
    'ixfwd_port_drops_total{port="g1",reason="too_big"} 0' \
    'ixfwd_port_link_up{port="g1"} 1' 'ixfwd_build_info{version="' \
    'ixfwd_rule_hits_total{port="g0",rule="2"} '"$N" \
    'ixfwd_capture_samples_total{capture="c0"} '"$((N / 100))" \
    'ixfwd_worker_busy_ratio{worker="0"'; do
	grep -qF "$want" "$WORK/metrics.txt" || { fail metrics_series "no '$want'"; want=; break; }
done
[ -n "$want" ] && pass metrics_series
# Per TX queue: a series of each family for every TX queue of every port,
# with the JSON's worker and value; g1's queues took what g0 and g2 sent
# (or dropped it, full: on a loaded machine the emulated NIC may fall
# behind), and their NIC counters say each sent what it took; g0 and g2,
# sent to by nobody, have a queue of no worker.
out=$("$CTL" -s "$S" stats --json | python3 -c "import json, re, sys
j = json.load(sys.stdin)
m = {}
for l in open('$WORK/metrics.txt'):
    r = re.match(r'(ixfwd_port_txq_[a-z_]+)\{port=\"([^\"]*)\",queue=\"([0-9]+)\",worker=\"(-?[0-9]+)\"\} ([0-9]+)$', l)
    if r:
        m[(r.group(1), r.group(2), int(r.group(3)))] = (int(r.group(4)), int(r.group(5)))
bad, n = [], 0
for p in j['ports']:
    for q in p['tx_queues']:
        for k in ('tx_packets', 'tx_bytes', 'tx_full', 'hw_tx_packets', 'hw_tx_bytes'):
            key = ('ixfwd_port_txq_%s_total' % k, p['name'], q['queue'])
            n += 1
            if m.get(key) != (q['worker'], q[k]):
                bad.append('%s: %s, json worker %d %d' % (key, m.get(key), q['worker'], q[k]))
g = {p['name']: [(q['worker'], q['tx_packets'] + q['tx_full'],
                  q['hw_tx_packets'] == q['tx_packets'])
                 for q in p['tx_queues']] for p in j['ports']}
want = {'g0': [(-1, 0, True)], 'g1': [(0, $N, True), (2, $M, True)],
        'g2': [(-1, 0, True)]}
if g != want:
    bad.append('tx queues (worker, tx_packets + tx_full, hw_tx_packets == tx_packets) %s, want %s; %s' % (g, want, [p['tx_queues'] for p in j['ports']]))
if len(m) != n:
    bad.append('%d series, %d in the json' % (len(m), n))
print('; '.join(bad) if bad else 'ok')")
[ "$out" = ok ] && pass metrics_tx_queues || fail metrics_tx_queues "$out"
code=$(ip netns exec $NS curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9477/other)
[ "$code" = 404 ] && pass metrics_404 || fail metrics_404 "HTTP $code"
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc = 0 ] && pass metrics_stop || fail metrics_stop "exit $rc"
# no datasheet rule broken, no DMA outside the registered memory
strict_check
exit $failed

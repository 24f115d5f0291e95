# tests/e2e/netns.sh: a host in a network namespace, wired by a veth pair
# to the namespace where ixfwd runs (sourced, POSIX sh).  Shared by the
# end-to-end scripts (through lib.sh) and tests/bench/bench_poll.sh.

# netns_host NS IF PEER ADDR: a namespace NS holding veth IF with ADDR,
# whose other end PEER sits in namespace $FWD_NS (where ixfwd runs).
netns_host() {
	ip netns add "$1"
	ip link add "$2" netns "$1" type veth peer name "$3" netns "$FWD_NS"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$1" ip link set lo up
	ip netns exec "$1" ip addr add "$4" dev "$2"
	ip netns exec "$1" ip link set "$2" up
	ip netns exec "$FWD_NS" ip link set "$3" up
}

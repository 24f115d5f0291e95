/*
 * port_open.c: opening a port of any kind (port_open.h).
 */
#include "ixgbe.h"
#include "null_port.h"
#include "port_open.h"

unsigned int
port_queues_max(enum port_kind kind)
{
	switch (kind) {
	case PORT_KIND_IXGBE:
	case PORT_KIND_EMULATED:
		return IXGBE_QUEUES_MAX;
	case PORT_KIND_NULL:
		return NULL_PORT_QUEUES_MAX;
	}
	return 1;
}

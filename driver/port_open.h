/*
 * port_open.h: opening a port of any kind (port.h).
 */
#ifndef IXFWD_PORT_OPEN_H
#define IXFWD_PORT_OPEN_H

#include <stdint.h>

#include "port.h"

/* The most RX queues, and the most TX queues, a port of kind can have. */
unsigned int	 port_queues_max(enum port_kind kind);

#endif /* IXFWD_PORT_OPEN_H */

/*
 * port_open.c: taking, opening and closing the ports of a process, of
 * every kind (port_open.h).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "dma.h"
#include "emu82599.h"
#include "ixgbe.h"
#include "log.h"
#include "null_port.h"
#include "pci.h"
#include "port_open.h"
#include "vfio.h"

struct port_dev {
	const char	*name;
	enum port_kind	 kind;
	const char	*device;
	struct port	*port;		/* once opened */
	struct emu82599	*emu;		/* EMULATED */
	struct bar	 bar;
	int		 pci_open;	/* bar taken, not yet the port's */
	int		 vfio;		/* behind VFIO (or the emulated one) */
	int		 node;		/* NUMA node, -1 */
	char		 kdrv[32];	/* the kernel driver it was taken from */
};

struct port_set {
	int		 n;
	int		 emu_running;	/* emu_engine_start() done */
	int		 give_back;	/* port_set_give_back() */
	struct port_dev	 dev[];
};

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

/* ------------------------------------------------------------------ */
/* The emulated 82599                                                 */

/* Every emulated NIC with its wire, the peers cabled, the DMA engine
 * started if there is any. */
static int
port_emu_create(struct port_set *s, const struct port_spec *spec,
    int emulator_cpu)
{
	int i, any = 0;

	for (i = 0; i < s->n; i++) {
		if (spec[i].kind != PORT_KIND_EMULATED)
			continue;
		any = 1;
		if ((s->dev[i].emu = emu_create(spec[i].name, spec[i].mac,
		    &spec[i].wire)) == NULL)
			return -1;
	}
	for (i = 0; i < s->n; i++) {
		int peer = spec[i].peer;

		if (spec[i].kind == PORT_KIND_EMULATED &&
		    spec[i].wire.kind == EMU_WIRE_PEER && peer > i &&
		    peer < s->n && s->dev[peer].emu != NULL &&
		    emu_connect(s->dev[i].emu, s->dev[peer].emu) == -1)
			return -1;
	}
	if (any) {
		if (emu_engine_start(emulator_cpu) == -1)
			return -1;
		s->emu_running = 1;
	}
	return 0;
}

/* IXFWD_EMU_VFIO=1: emulated ports are put behind the emulated VFIO
 * (emu82599_vfio.c) and taken through vfio.c, as real ones bound to
 * vfio-pci are; the tests run the whole end-to-end suite both ways. */
static int
port_emu_vfio(void)
{
	const char *e = getenv("IXFWD_EMU_VFIO");

	return e != NULL && strcmp(e, "1") == 0;
}

static int
port_emu_take(struct port_dev *d, int idx)
{
	char bdf[16];

	if (!port_emu_vfio()) {
		emu_bar(d->emu, &d->bar);
		return 0;
	}
	/* a bus of its own per port: bus 0xa0 + i, IOMMU group 100 + i */
	snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", (0xa0 + idx) & 0xff);
	if (emu_vfio_add(d->emu, bdf, 100 + idx) == -1 ||
	    vfio_open(bdf, 100 + idx, &emu_vfio_ops, NULL, &d->bar) == -1)
		return -1;
	log_info("%s: the emulated 82599 is %s behind the emulated VFIO "
	    "(IXFWD_EMU_VFIO=1)", d->name, bdf);
	d->pci_open = 1;
	d->vfio = 1;
	return 0;
}

/* The strict model counted every datasheet rule the driver broke (each
 * first break is logged as it happens); the total goes in the log for
 * the tests to see. */
static void
port_emu_destroy(struct port_dev *d)
{
	if (emu_violations(d->emu) != 0)
		log_warnx("emu82599 %s: strict: %llu violations of the "
		    "datasheet rules in all", d->name,
		    (unsigned long long)emu_violations(d->emu));
	emu_destroy(d->emu);
	d->emu = NULL;
}

/* ------------------------------------------------------------------ */
/* Taking the devices                                                 */

static const char *
port_what(const struct port_dev *d)
{
	return d->kind == PORT_KIND_EMULATED ? "the emulated 82599" :
	    d->device;
}

/*
 * Take every NIC (VFIO, sysfs, or the model) and reset it, before any
 * DMA memory is allocated.  Then choose the DMA addresses: IOVAs mapped
 * through VFIO, physical ones for the sysfs path; one process cannot
 * give both kinds to its NICs.
 */
static int
port_take_devices(struct port_set *s, const struct port_spec *spec)
{
	const char *vfio = NULL, *phys = NULL;
	int i;

	for (i = 0; i < s->n; i++) {
		struct port_dev *d = &s->dev[i];

		switch (d->kind) {
		case PORT_KIND_NULL:
			continue;
		case PORT_KIND_EMULATED:
			if (port_emu_take(d, i) == -1)
				return -1;
			break;
		case PORT_KIND_IXGBE:
			if (pci_take(d->device, spec[i].force, &d->bar,
			    &d->vfio) == -1)
				return -1;
			d->pci_open = 1;
			strlcpy(d->kdrv, d->bar.kdrv, sizeof(d->kdrv));
			d->node = pci_numa_node(d->device);
			if (!d->vfio && phys == NULL)
				phys = d->name;
			break;
		}
		if (d->vfio && vfio == NULL)
			vfio = d->name;
		if (vfio != NULL && phys != NULL) {
			log_warnx("port %s is reached through VFIO (DMA "
			    "addresses mapped in the IOMMU) and port %s through "
			    "sysfs (physical addresses): one process cannot "
			    "serve both; bind the device of %s to vfio-pci too",
			    vfio, phys, phys);
			return -1;
		}
		if (ixgbe_quiesce(&d->bar, d->name) == -1) {
			log_warnx("%s: cannot reset %s", d->name, port_what(d));
			return -1;
		}
	}
	if (vfio != NULL)
		return 0;		/* vfio_open() chose DMA_IOVA_IOMMU */
	if ((phys != NULL ? dma_mode() != DMA_IOVA_PHYS :
	    dma_mode() == DMA_IOVA_AUTO) &&
	    dma_init(phys != NULL ? DMA_IOVA_PHYS : DMA_IOVA_AUTO) == -1) {
		log_warnx("no DMA memory");
		return -1;
	}
	return 0;
}

struct port_set *
port_set_take(const struct port_spec *spec, int n, int emulator_cpu)
{
	struct port_set *s;
	int i;

	if ((s = calloc(1, sizeof(*s) + (size_t)n * sizeof(s->dev[0]))) ==
	    NULL) {
		log_warn("ports");
		return NULL;
	}
	s->n = n;
	for (i = 0; i < n; i++) {
		s->dev[i].name = spec[i].name;
		s->dev[i].kind = spec[i].kind;
		s->dev[i].device = spec[i].device;
		s->dev[i].node = -1;
	}
	if (port_emu_create(s, spec, emulator_cpu) == -1 ||
	    port_take_devices(s, spec) == -1) {
		port_set_give_back(s);
		port_set_close(s);
		return NULL;
	}
	return s;
}

int
port_set_node(const struct port_set *s, int i)
{
	return s->dev[i].node;
}

/* ------------------------------------------------------------------ */
/* Opening                                                            */

static struct port *
port_open_null(const struct port_spec *spec)
{
	struct port *p;

	p = null_port_open(spec->name, spec->nb_rxq, spec->nb_txq,
	    spec->rx_pool);
	if (p != NULL)
		log_info("%s: null port, %u TX queue%s", spec->name,
		    spec->nb_txq, spec->nb_txq == 1 ? "" : "s");
	return p;
}

/* The driver's terms for spec. */
static void
port_ixgbe_conf(const struct port_spec *spec, struct ixgbe_conf *ic)
{
	uint16_t q;

	memset(ic, 0, sizeof(*ic));
	ic->name = spec->name;
	ic->nb_rxq = spec->nb_rxq;
	ic->nb_txq = spec->nb_txq;
	ic->rx_ring = spec->rx_ring;
	ic->tx_ring = spec->tx_ring;
	for (q = 0; q < spec->nb_rxq && q < IXGBE_QUEUES_MAX; q++)
		ic->rx_pool[q] = spec->rx_pool[q];
	ic->promisc = spec->promisc;
	static_assert(sizeof(ic->rss_key) == sizeof(spec->rss_key) &&
	    sizeof(ic->rss_reta) == sizeof(spec->rss_reta), "RSS tables");
	memcpy(ic->rss_key, spec->rss_key, sizeof(ic->rss_key));
	ic->rss_fields = spec->rss_fields;
	memcpy(ic->rss_reta, spec->rss_reta, sizeof(ic->rss_reta));
	ic->max_frame = spec->max_frame;
	ic->link_timeout_ms = 0;		/* the caller waits for all */
}

size_t
port_dma_pages(const struct port_spec *spec)
{
	struct ixgbe_conf ic;

	switch (spec->kind) {
	case PORT_KIND_IXGBE:
	case PORT_KIND_EMULATED:
		port_ixgbe_conf(spec, &ic);
		return dma_pages(ixgbe_rings_size(&ic));
	case PORT_KIND_NULL:
		break;
	}
	return 0;
}

static struct port *
port_open_ixgbe(struct port_dev *d, const struct port_spec *spec)
{
	struct ixgbe_conf ic;
	struct port *p;

	if (spec->nb_rxq > PORT_RXQ_MAX) {
		log_warnx("%s: %u RX queues, at most %d", spec->name,
		    spec->nb_rxq, PORT_RXQ_MAX);
		return NULL;
	}
	port_ixgbe_conf(spec, &ic);
	dma_set_node(d->node);		/* its rings */
	p = ixgbe_open(&d->bar, &ic);
	dma_set_node(-1);
	if (p == NULL) {
		log_warnx("%s: cannot initialise %s", spec->name, port_what(d));
		return NULL;
	}
	d->pci_open = 0;		/* the port owns bar now */
	strlcpy(p->name, spec->name, sizeof(p->name));
	log_info("%s: %s %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, "
	    "%u RX / %u TX descriptors, %u RX queue%s%s, %u TX queue%s",
	    spec->name, p->kind,
	    d->kind == PORT_KIND_EMULATED ? "emulated" : d->device,
	    p->mac[0], p->mac[1], p->mac[2], p->mac[3], p->mac[4], p->mac[5],
	    spec->rx_ring, spec->tx_ring, spec->nb_rxq,
	    spec->nb_rxq == 1 ? "" : "s", spec->nb_rxq > 1 ? " (RSS)" : "",
	    spec->nb_txq, spec->nb_txq == 1 ? "" : "s");
	return p;
}

struct port *
port_open(struct port_set *s, int i, const struct port_spec *spec)
{
	struct port_dev *d = &s->dev[i];

	if (d->port != NULL) {
		log_warnx("%s: opened already", spec->name);
		return NULL;
	}
	switch (d->kind) {
	case PORT_KIND_NULL:
		d->port = port_open_null(spec);
		break;
	case PORT_KIND_IXGBE:
	case PORT_KIND_EMULATED:
		d->port = port_open_ixgbe(d, spec);
		break;
	}
	return d->port;
}

void
port_set_give_back(struct port_set *s)
{
	if (s != NULL)
		s->give_back = 1;
}

void
port_set_close(struct port_set *s)
{
	char bdf[PCI_BDF_LEN + 1];
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		struct port_dev *d = &s->dev[i];

		if (d->port != NULL)
			port_close(d->port);
		else if (d->pci_open)
			pci_close(&d->bar);
		d->port = NULL;
		d->pci_open = 0;
		/* reset and closed: the kernel driver may have it again */
		if (s->give_back && d->kdrv[0] != '\0' &&
		    pci_parse_bdf(d->device, bdf) == 0)
			(void)pci_give_back(bdf, d->kdrv);
		d->kdrv[0] = '\0';
	}
	if (s->emu_running)
		emu_engine_stop();
	for (i = 0; i < s->n; i++)
		if (s->dev[i].emu != NULL)
			port_emu_destroy(&s->dev[i]);
	free(s);
}

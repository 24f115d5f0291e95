/*
 * emu82599_vfio.c: the PCI side of the emulated 82599: its configuration
 * space, the record of what a NIC was told (for tests), and the emulated
 * VFIO (below) that serves driver/vfio.c's seam.
 *
 * Config space is the type 0 header of PCI local bus spec. 3.0 §6.1 with
 * the identity of an 82599ES SFP+ (8086:10fb, class 02 00 00); only the
 * command register is writable, and of it only memory space enable and
 * bus master enable mean anything here.  The DMA engine does nothing for
 * a NIC whose bus mastering is off (emu_nic_pass()).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bar.h"
#include "dma.h"
#include "emu82599.h"
#include "emu82599_priv.h"

#define EMU_CFG_SIZE		256
#define EMU_CFG_COMMAND		0x04

static struct emu_events *emu_events_log;

void
emu_events_attach(struct emu_events *log)
{
	__atomic_store_n(&emu_events_log, log, __ATOMIC_RELEASE);
}

/* Async-signal-safe: one atomic slot claim, plain stores. */
void
emu_event(struct emu82599 *nic, enum emu_event_kind kind, uint64_t iova,
    uint64_t len)
{
	struct emu_events *log = __atomic_load_n(&emu_events_log,
	    __ATOMIC_ACQUIRE);
	struct emu_event *e;
	uint32_t i;

	if (log == NULL)
		return;
	i = __atomic_fetch_add(&log->n, 1, __ATOMIC_ACQ_REL);
	if (i >= log->cap)
		return;
	e = &log->ev[i];
	e->kind = kind;
	memset(e->nic, 0, sizeof(e->nic));
	if (nic != NULL)
		memcpy(e->nic, nic->name, strnlen(nic->name,
		    sizeof(e->nic) - 1));
	e->unmap_gen = __atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE);
	e->alloc_gen = __atomic_load_n(&dma_alloc_gen, __ATOMIC_ACQUIRE);
	e->iova = iova;
	e->len = len;
}

uint16_t
emu_pci_command(struct emu82599 *nic)
{
	return __atomic_load_n(&nic->pci_cmd, __ATOMIC_ACQUIRE);
}

static uint8_t
emu_cfg_byte(struct emu82599 *nic, uint32_t off)
{
	uint16_t cmd = emu_pci_command(nic);

	switch (off) {
	case 0x00: return 0x86;		/* vendor 8086 */
	case 0x01: return 0x80;
	case 0x02: return 0xfb;		/* device 10fb */
	case 0x03: return 0x10;
	case 0x04: return (uint8_t)cmd;
	case 0x05: return (uint8_t)(cmd >> 8);
	case 0x06: return 0x10;		/* status: capabilities list */
	case 0x08: return 0x01;		/* revision */
	case 0x0b: return 0x02;		/* class: network, Ethernet */
	case 0x10: return 0x0c;		/* BAR0: 64-bit prefetchable memory */
	default: return 0;
	}
}

static ssize_t
emu_cfg_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
	struct emu82599 *nic = ctx;
	uint8_t *b = buf;
	size_t i;

	(void)fd;
	if (off < 0 || (size_t)off >= EMU_CFG_SIZE)
		return 0;
	if (len > EMU_CFG_SIZE - (size_t)off)
		len = EMU_CFG_SIZE - (size_t)off;
	for (i = 0; i < len; i++)
		b[i] = emu_cfg_byte(nic, (uint32_t)off + (uint32_t)i);
	return (ssize_t)len;
}

static ssize_t
emu_cfg_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
	struct emu82599 *nic = ctx;
	const uint8_t *b = buf;
	uint16_t cmd, old;
	size_t i;

	(void)fd;
	if (off < 0 || (size_t)off >= EMU_CFG_SIZE)
		return 0;
	if (len > EMU_CFG_SIZE - (size_t)off)
		len = EMU_CFG_SIZE - (size_t)off;
	old = cmd = emu_pci_command(nic);
	for (i = 0; i < len; i++) {
		uint32_t o = (uint32_t)off + (uint32_t)i;

		if (o == EMU_CFG_COMMAND)
			cmd = (uint16_t)((cmd & 0xff00) | b[i]);
		else if (o == EMU_CFG_COMMAND + 1)
			cmd = (uint16_t)((cmd & 0x00ff) | b[i] << 8);
		/* everything else is read-only here */
	}
	if (cmd == old)
		return (ssize_t)len;
	__atomic_store_n(&nic->pci_cmd, cmd, __ATOMIC_RELEASE);
	if ((cmd ^ old) & EMU_PCI_COMMAND_MASTER)
		emu_event(nic, cmd & EMU_PCI_COMMAND_MASTER ?
		    EMU_EV_MASTER_ON : EMU_EV_MASTER_OFF, 0, 0);
	return (ssize_t)len;
}

const struct bar_cfg_ops emu_cfg_ops = {
	.pread = emu_cfg_pread,
	.pwrite = emu_cfg_pwrite,
};

/*
 * fuzz_pcap_wire: the emulated NIC's pcap_in wire on any file.  The file
 * is opened as the wire of an emulated 82599 (emu_wire_open, as
 * emu_create does: it refuses what libpcap cannot open, or another link
 * type than Ethernet; one NIC for all inputs, as creating one costs
 * more than reading a file) and its receive side takes every frame of the file, as the engine's
 * wire pass does: short frames padded, frames over what a wire carries
 * counted as oversize, the rest through the NIC's size checks and L2
 * filter (promiscuous, receive on, no queue: each frame is missed).  It
 * must not crash, leak or loop.
 */
#include "fuzz.h"

#include "emu82599.h"
#include "emu82599_priv.h"
#include "emu82599_regs.h"
#include "log.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x10 };
	struct emu_wire_conf wc;
	static struct emu82599 *nic;
	const char *path;
	int work, rounds = 0;

	path = fuzz_file("pcap", ".pcap", data, size);
	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_PCAP;
	snprintf(wc.pcap_in, sizeof(wc.pcap_in), "%s", path);
	if (nic == NULL) {
		wc.kind = EMU_WIRE_NONE;
		if ((nic = emu_create("fuzz", mac, &wc)) == NULL)
			fuzz_fail("emu_create");
		wc.kind = EMU_WIRE_PCAP;
	}
	pthread_mutex_lock(&nic->lock);
	if (emu_wire_open(nic, &wc) == -1) {
		nic->kind = EMU_WIRE_NONE;
		pthread_mutex_unlock(&nic->lock);
		return 0;
	}
	nic->link_up = 1;
	nic->rx.on = 1;
	nic->rx.maxlen = 9728;
	nic->rx.fctrl = EMU_FCTRL_UPE | EMU_FCTRL_MPE | EMU_FCTRL_BAM;
	do {
		work = emu_wire_rx(nic, 0);
		if (++rounds > 1000000)
			fuzz_fail("the pcap wire never reaches the end");
	} while (work > 0);	/* 0: the end of the file (or of the link) */
	emu_wire_close(nic);
	nic->kind = EMU_WIRE_NONE;
	pthread_mutex_unlock(&nic->lock);
	return 0;
}

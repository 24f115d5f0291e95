/*
 * emu82599_fault.c: faults of the emulated 82599, for tests (the list is
 * in emu82599.h).  emu_fault() only sets atomics in the NIC; the engine
 * acts on them in its next pass over it (emu_fault_rx(), and the checks
 * of removed, tx_hung and tx_no_disable in emu82599.c), as the silicon
 * would show the fault to a driver.  A running daemon's NICs are reached
 * through the file $IXFWD_EMU_FAULTS names, which the engine looks for
 * every EMU_FAULT_POLL_NS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu82599.h"
#include "emu82599_priv.h"
#include "log.h"

#define EMU_FAULT_POLL_NS	100000000ull	/* the fault file, 100 ms */
#define EMU_FAULT_MAX		100000u		/* frames per fault */

static const char *emu_fault_bad_name[EMU_FAULT_NBAD] = {
	[EMU_FAULT_RUNT] = "runt",
	[EMU_FAULT_OVERSIZE] = "oversize",
	[EMU_FAULT_BAD_CRC] = "bad_crc",
};

int
emu_fault(struct emu82599 *nic, const char *fault)
{
	char word[32];
	unsigned long n = 1;
	int k, got;

	got = sscanf(fault, "%31s %lu", word, &n);
	if (got < 1)
		goto bad;
	if (strcmp(word, "link") == 0) {
		if (sscanf(fault, "%*s %31s", word) != 1)
			goto bad;
		if (strcmp(word, "down") == 0)
			emu_set_carrier(nic, 0);
		else if (strcmp(word, "up") == 0)
			emu_set_carrier(nic, 1);
		else
			goto bad;
		log_info("emu82599 %s: fault: link %s", nic->name, word);
		return 0;
	}
	if (strcmp(word, "remove") == 0) {
		__atomic_store_n(&nic->removed, 1, __ATOMIC_SEQ_CST);
		log_info("emu82599 %s: fault: surprise removal (reads return "
		    "all ones, no DMA)", nic->name);
		return 0;
	}
	if (strcmp(word, "tx_hang") == 0) {
		if (got != 2 || n >= EMU_NQ)
			goto bad;
		__atomic_store_n(&nic->tx_hung[n], 1, __ATOMIC_SEQ_CST);
		log_info("emu82599 %s: fault: TX queue %lu stops completing "
		    "descriptors until it is disabled", nic->name, n);
		return 0;
	}
	if (strcmp(word, "tx_no_disable") == 0) {
		char arg[8] = "";

		if (got != 2 || n >= EMU_NQ)
			goto bad;
		(void)sscanf(fault, "%*s %*u %7s", arg);
		if (arg[0] != '\0' && strcmp(arg, "off") != 0)
			goto bad;
		__atomic_store_n(&nic->tx_no_disable[n], arg[0] == '\0',
		    __ATOMIC_SEQ_CST);
		if (arg[0] == '\0')
			log_info("emu82599 %s: fault: TX queue %lu cannot be "
			    "stopped: TXDCTL.ENABLE stays 1", nic->name, n);
		else
			log_info("emu82599 %s: fault: TX queue %lu can be "
			    "stopped again", nic->name, n);
		emu_engine_kick();
		return 0;
	}
	if (strcmp(word, "rx_burst") == 0) {
		if (got != 2 || n == 0 || n > EMU_FAULT_MAX ||
		    nic->kind != EMU_WIRE_GENERATOR)
			goto bad;
		__atomic_fetch_add(&nic->fault_burst, (uint32_t)n,
		    __ATOMIC_SEQ_CST);
		log_info("emu82599 %s: fault: a burst of %lu frames",
		    nic->name, n);
		emu_engine_kick();
		return 0;
	}
	for (k = 0; k < EMU_FAULT_NBAD; k++)
		if (strcmp(word, emu_fault_bad_name[k]) == 0) {
			if (n == 0 || n > EMU_FAULT_MAX)
				goto bad;
			__atomic_fetch_add(&nic->fault_bad[k], (uint32_t)n,
			    __ATOMIC_SEQ_CST);
			log_info("emu82599 %s: fault: %lu %s frame%s",
			    nic->name, n, word, n == 1 ? "" : "s");
			emu_engine_kick();
			return 0;
		}
bad:
	log_warnx("emu82599 %s: fault \"%s\": not one the model knows",
	    nic->name, fault);
	return -1;
}

/* One bad frame of kind k, for this NIC's address (it passes the L2
 * filter), 0 or -1 when there is no room for it now. */
static int
emu_fault_frame(struct emu82599 *nic, int k)
{
	static uint8_t f[EMU_WIRE_MAX];
	uint32_t len;
	int r;

	memcpy(f, nic->mac, 6);
	memcpy(f + 6, "\x02\x00\x00\xfa\x17\x01", 6);
	f[12] = 0x88;		/* local experimental EtherType */
	f[13] = 0xb5;
	switch (k) {
	case EMU_FAULT_RUNT:
		/* §8.2.3.23.x RUC: shorter than 64 bytes, good CRC. */
		return emu_rx_frame(nic, f, 40, 0) == EMU_RX_NOROOM ? -1 : 0;
	case EMU_FAULT_OVERSIZE:
		/* ROC: longer than MAXFRS (or 1518), good CRC. */
		len = nic->rx.maxlen + 100;
		if (len > EMU_WIRE_MAX)
			len = EMU_WIRE_MAX;
		return emu_rx_frame(nic, f, len, 0) == EMU_RX_NOROOM ? -1 : 0;
	default:
		/* §8.2.3.23.1 CRCERRS.  §8.2.3.7.1 FCTRL.SBP: bad frames
		 * are stored, with RXE in the write-back (§7.1.6.2);
		 * without it the MAC drops them. */
		emu_stat_add_atomic(nic, EMU_S_CRCERRS, 1);
		if (!(nic->rx.fctrl & EMU_FCTRL_SBP)) {
			emu_stat_add_atomic(nic, EMU_S_TPR, 1);
			emu_stat_add_atomic(nic, EMU_S_TOR, 64 + EMU_CRC_LEN);
			return 0;
		}
		nic->rx.err = EMU_RXD_ERR_RXE;
		r = emu_rx_frame(nic, f, 64, 0);
		nic->rx.err = 0;
		return r == EMU_RX_NOROOM ? -1 : 0;
	}
}

/* In a pass, receive on: the bad frames faults asked for.  Lock held. */
int
emu_fault_rx(struct emu82599 *nic)
{
	uint32_t n;
	int k, work = 0;

	if (!nic->rx.on || !nic->link_up)
		return 0;
	for (k = 0; k < EMU_FAULT_NBAD; k++) {
		if (__atomic_load_n(&nic->fault_bad[k], __ATOMIC_RELAXED) == 0)
			continue;
		n = __atomic_exchange_n(&nic->fault_bad[k], 0,
		    __ATOMIC_RELAXED);
		for (; n > 0; n--, work++)
			(void)emu_fault_frame(nic, k);
	}
	return work;
}

/*
 * $IXFWD_EMU_FAULTS: every EMU_FAULT_POLL_NS the engine takes the file
 * (renames it, so a test writing the next one does not race with the
 * read), applies its lines "NIC FAULT" and removes it.  Unset, it costs
 * one branch.
 */
static const char *emu_fault_path;
static int emu_fault_init_done;
static uint64_t emu_fault_next_ns;

void
emu_fault_poll(uint64_t now)
{
	char taken[PATH_MAX], line[256], name[64];
	struct emu82599 *nic;
	FILE *f;
	int off;

	if (!emu_fault_init_done) {
		emu_fault_path = getenv("IXFWD_EMU_FAULTS");
		emu_fault_init_done = 1;
	}
	if (emu_fault_path == NULL || now < emu_fault_next_ns)
		return;
	emu_fault_next_ns = now + EMU_FAULT_POLL_NS;
	snprintf(taken, sizeof(taken), "%s.taken", emu_fault_path);
	if (rename(emu_fault_path, taken) == -1)
		return;
	if ((f = fopen(taken, "r")) == NULL) {
		log_warn("emu82599: %s", taken);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%63s %n", name, &off) != 1 ||
		    name[0] == '#')
			continue;
		emu_list_lock_take(1);
		if ((nic = emu_find_locked(name)) != NULL)
			(void)emu_fault(nic, line + off);
		else
			log_warnx("emu82599: fault for %s: no such NIC", name);
		emu_list_lock_take(0);
	}
	fclose(f);
	unlink(taken);
}

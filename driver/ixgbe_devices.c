/*
 * ixgbe_devices.c: the 82599-family device IDs and what ixfwd does with
 * each.  Only SFI (SFP+) 82599 ports are set up (§4.6.4: AUTOC.LMS 10 Gb/s
 * serial, AUTOC2 SFI); every other part is refused with what is missing,
 * rather than set up as SFI and left without a link.
 */
#include <stddef.h>

#include "ixgbe_devices.h"

#define SFI(id, n)	{ id, n, "SFI (SFP+)", 1, NULL }
#define NO(id, n, m, w)	{ id, n, m, 0, w }

#define WHY_BACKPLANE	"ixfwd sets up SFI (SFP+) links only; the " \
			"backplane link modes (KX4/KX/KR auto-negotiation, " \
			"AUTOC.LMS per 82599 datasheet §4.6.4) are not " \
			"implemented"
#define WHY_PARALLEL	"ixfwd sets up SFI (SFP+) links only; the 10 Gb/s " \
			"parallel link mode (AUTOC.LMS 001b, §4.6.4) is not " \
			"implemented"
#define WHY_BASET	"its 10GBASE-T link is run by an external PHY, " \
			"which ixfwd does not manage"
#define WHY_X5X0	"its link is run by the integrated 10GBASE-T PHY " \
			"and firmware, reached under the SW/FW semaphore; " \
			"ixfwd implements neither"

static const struct ixgbe_devinfo ixgbe_devices[] = {
	SFI(0x10fb, "82599ES SFP+ (X520)"),
	SFI(0x1507, "82599 SFP+ EM"),
	SFI(0x1529, "82599 SFP+ FCoE"),
	SFI(0x154a, "82599 SFP+ quad port (X520-Q)"),
	SFI(0x154d, "82599 SFP+ SF2"),
	SFI(0x154f, "82599 SFP+ LS"),
	SFI(0x1557, "82599EN SFP+ (X520-1)"),
	SFI(0x1558, "82599 QSFP+ quad port"),
	NO(0x10f7, "82599 KX4", "KX4 backplane", WHY_BACKPLANE),
	NO(0x1514, "82599 KX4 mezzanine", "KX4 backplane", WHY_BACKPLANE),
	NO(0x10f8, "82599 combined backplane", "KX/KX4/KR backplane",
	    WHY_BACKPLANE),
	NO(0x152a, "82599 backplane FCoE", "KX/KX4/KR backplane",
	    WHY_BACKPLANE),
	NO(0x1517, "82599 KR", "KR backplane", WHY_BACKPLANE),
	NO(0x10f9, "82599 CX4", "CX4", WHY_PARALLEL),
	NO(0x10fc, "82599 XAUI/BX4 LOM", "XAUI", WHY_PARALLEL),
	NO(0x151c, "82599 10GBASE-T3 LOM", "10GBASE-T", WHY_BASET),
	NO(0x1528, "X540-AT2 10GBASE-T", "10GBASE-T", WHY_X5X0),
	NO(0x1560, "X540-AT1 10GBASE-T", "10GBASE-T", WHY_X5X0),
	NO(0x1563, "X550-T2 10GBASE-T", "10GBASE-T", WHY_X5X0),
	NO(0x15d1, "X550-T1 10GBASE-T", "10GBASE-T", WHY_X5X0),
};

const struct ixgbe_devinfo *
ixgbe_devinfo(uint16_t device)
{
	size_t i;

	for (i = 0; i < sizeof(ixgbe_devices) / sizeof(ixgbe_devices[0]); i++)
		if (ixgbe_devices[i].device == device)
			return &ixgbe_devices[i];
	return NULL;
}

const struct ixgbe_devinfo *
ixgbe_devinfo_at(size_t i)
{
	if (i >= sizeof(ixgbe_devices) / sizeof(ixgbe_devices[0]))
		return NULL;
	return &ixgbe_devices[i];
}

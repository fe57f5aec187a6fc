/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decoding of a data abort taken to EL2 from a guest (ESR_EL2 with EC 0x24):
 * what the access was, so that it can be emulated and completed later from
 * this saved state alone.
 */
#ifndef TESSERA_ARM64_DABT_H
#define TESSERA_ARM64_DABT_H

#include <types.h>

struct dabt_info {
	bool isv;          /* syndrome valid; if false only the fields below it are */
	bool write;
	unsigned size;     /* 1, 2, 4 or 8 bytes */
	bool sign_extend;  /* load sign-extends into the register */
	unsigned reg;      /* 0..30; 31 is the zero register */
	bool reg64;        /* X register (else W: result zero-extends to 64) */
	/* valid whatever ISV says: */
	bool s1ptw;        /* fault on the guest's own page-table walk */
	bool cache_maint;  /* a cache maintenance instruction, not a load/store */
	unsigned dfsc;     /* data fault status code */
};

void dabt_decode(uint64_t esr, struct dabt_info *out);

/* The faulting guest-physical address from HPFAR_EL2 and FAR_EL2. */
uint64_t dabt_fault_ipa(uint64_t hpfar, uint64_t far);

/*
 * What a data abort from a guest is (doc/architecture.rst, "Accesses
 * outside a VM"), from its syndrome and whether the faulting IPA lies in
 * the board's RAM.
 */
enum dabt_action {
	/* The guest's own stage-1 translation-table walk read a descriptor
	 * from an IPA that is not its RAM: no load or store to emulate. */
	DABT_REFUSE_WALK,
	/* An access to RAM the VM does not own. */
	DABT_REFUSE_RAM,
	/* An I/O access by an instruction without a valid syndrome. */
	DABT_UNSUPPORTED,
	/* An I/O access, for the I/O emulation core. */
	DABT_IO,
};

/*
 * A stage-2 fault on a stage-1 walk (S1PTW) is never an MMIO access, even
 * where the IPA is an emulated device's: the walk is the MMU reading a
 * descriptor, there is no register to load, and the Arm ARM gives it no
 * valid instruction syndrome (ISV 0). Emulating it would feed a device
 * register to the guest's MMU as a table entry. KVM likewise injects an
 * abort for a walk outside memory. Inline: it is on every MMIO trap's path.
 */
static inline enum dabt_action dabt_decide(const struct dabt_info *d,
					   bool ipa_in_ram)
{
	if (d->s1ptw)
		return DABT_REFUSE_WALK;
	if (ipa_in_ram)
		return DABT_REFUSE_RAM;
	return d->isv ? DABT_IO : DABT_UNSUPPORTED;
}

/* DFSC classes */
bool dfsc_is_translation_fault(unsigned dfsc);
bool dfsc_is_permission_fault(unsigned dfsc);

#endif

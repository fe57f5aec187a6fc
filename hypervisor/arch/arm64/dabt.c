/* SPDX-License-Identifier: BSD-3-Clause */
#include <dabt.h>

/* ISS fields of a data abort (Arm ARM D17.2.40). */
#define ISS_ISV BIT(24)
#define ISS_SAS_SHIFT 22
#define ISS_SSE BIT(21)
#define ISS_SRT_SHIFT 16
#define ISS_SF BIT(15)
#define ISS_CM BIT(8)
#define ISS_S1PTW BIT(7)
#define ISS_WNR BIT(6)
#define ISS_DFSC_MASK 0x3full

void dabt_decode(uint64_t esr, struct dabt_info *out)
{
	*out = (struct dabt_info){
		.isv = esr & ISS_ISV,
		.s1ptw = esr & ISS_S1PTW,
		.cache_maint = esr & ISS_CM,
		.dfsc = (unsigned)(esr & ISS_DFSC_MASK),
	};
	/* WnR reads as 1 for cache maintenance and stage-1 walks: not a write. */
	out->write = (esr & ISS_WNR) && !out->cache_maint && !out->s1ptw;
	if (!out->isv)
		return;
	out->size = 1u << ((esr >> ISS_SAS_SHIFT) & 3);
	out->sign_extend = esr & ISS_SSE;
	out->reg = (unsigned)((esr >> ISS_SRT_SHIFT) & 31);
	out->reg64 = esr & ISS_SF;
}

uint64_t dabt_fault_ipa(uint64_t hpfar, uint64_t far)
{
	/* HPFAR_EL2.FIPA holds IPA[51:12] in bits [43:4]. */
	return ((hpfar & 0x00000ffffffffff0ull) << 8) | (far & 0xfffull);
}

bool dfsc_is_translation_fault(unsigned dfsc)
{
	return (dfsc & 0x3c) == 0x04;
}

bool dfsc_is_permission_fault(unsigned dfsc)
{
	return (dfsc & 0x3c) == 0x0c;
}

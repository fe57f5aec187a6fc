/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data aborts from the guest: decoded and classified (dabt.c), then acted
 * on here. An access to the board's RAM that the VM does not own, and a
 * fault on the guest's own stage-1 table walk, are refused outright with
 * an abort (memory isolation never depends on the I/O path); everything
 * else is an I/O access (vcpu_data_access), completed now or by a later
 * step.
 */
#include <arm64_trap.h>
#include <dabt.h>
#include <io_emul.h>
#include <log.h>
#include <sysreg.h>
#include <vm.h>

static void refuse_access(struct vcpu *v, const struct dabt_info *d,
			  uint64_t ipa)
{
	if (log_ratelimit_allow(&v->vm->fault_log))
		log_warn("vm %s vcpu %u: %s at 0x%llx (pc 0x%llx) is outside "
			 "its memory and devices: abort injected",
			 vm_name(v->vm), v->id, d->write ? "write" : "read",
			 (unsigned long long)ipa,
			 (unsigned long long)v->arch.regs.pc);
	arm64_inject_abort(v, &v->arch.regs, true, v->arch.fault_far);
}

/* The walk's IPA is the descriptor's; HPFAR gives its page, FAR the VA
 * the guest was translating. */
static void refuse_walk(struct vcpu *v, uint64_t ipa)
{
	if (log_ratelimit_allow(&v->vm->fault_log))
		log_warn("vm %s vcpu %u: its stage-1 table walk for 0x%llx (pc "
			 "0x%llx) read a descriptor in 0x%llx, which is not its "
			 "memory: abort injected", vm_name(v->vm), v->id,
			 (unsigned long long)v->arch.fault_far,
			 (unsigned long long)v->arch.regs.pc,
			 (unsigned long long)ALIGN_DOWN(ipa, SZ_4K));
	arm64_inject_abort(v, &v->arch.regs, true, v->arch.fault_far);
}

static struct io_access access_from_syndrome(const struct dabt_info *d,
					     uint64_t ipa,
					     const struct arch_regs *regs)
{
	return (struct io_access){
		.space = IO_SPACE_MMIO,
		.size = (uint8_t)d->size,
		.write = d->write,
		.reg = (uint8_t)d->reg,
		.sign_extend = d->sign_extend,
		.reg_is_64bit = d->reg64,
		.addr = ipa,
		.value = d->write && d->reg != IO_REG_ZERO ? regs->x[d->reg] : 0,
	};
}

void arm64_handle_dabt(struct vcpu *v, uint64_t esr)
{
	uint64_t far = read_sysreg(far_el2);
	uint64_t ipa = dabt_fault_ipa(read_sysreg(hpfar_el2), far);
	struct io_access access;
	struct dabt_info d;

	v->arch.fault_far = far; /* for an abort after a forwarded access */
	dabt_decode(esr, &d);
	switch (dabt_decide(&d, vm_gpa_in_ram_window(v->vm, ipa))) {
	case DABT_REFUSE_WALK:
		refuse_walk(v, ipa);
		return;
	case DABT_REFUSE_RAM:
		refuse_access(v, &d, ipa);
		return;
	case DABT_UNSUPPORTED:
		vm_crash(v->vm, "vcpu %u: device access at 0x%llx (pc 0x%llx) by "
			 "an instruction without a valid syndrome (e.g. LDP/STP "
			 "or writeback) is not supported", v->id,
			 (unsigned long long)ipa,
			 (unsigned long long)v->arch.regs.pc);
		return;
	case DABT_IO:
		break;
	}
	access = access_from_syndrome(&d, ipa, &v->arch.regs);
	vcpu_data_access(v, &access);
}

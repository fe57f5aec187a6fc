/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data aborts from the guest. Accesses to RAM the VM does not own are
 * refused outright (memory isolation); everything else is an I/O access for
 * the I/O emulation core: a hypervisor handler, the device model, or the
 * VM's unhandled-access policy. Completion (post-work) runs here, on the
 * vCPU's own pCPU, from the syndrome decoded at trap time.
 */
#include <arm64_trap.h>
#include <dabt.h>
#include <io_emul.h>
#include <log.h>
#include <scenario.h>
#include <sysreg.h>
#include <vm.h>

static bool in_board_ram(uint64_t ipa)
{
	const struct board_config *b = tessera_scenario.board;

	return ipa >= b->ram_base && ipa - b->ram_base < b->ram_size;
}

static void refuse_access(struct vcpu *vcpu, struct arch_regs *regs,
			  const struct dabt_info *d, uint64_t ipa)
{
	if (log_ratelimit_allow(&vcpu->vm->fault_log))
		log_warn("vm %s vcpu %u: %s at 0x%llx (pc 0x%llx) is outside "
			 "its memory and devices: abort injected",
			 vm_name(vcpu->vm), vcpu->id, d->write ? "write" : "read",
			 (unsigned long long)ipa, (unsigned long long)regs->pc);
	arm64_inject_abort(vcpu, regs, true, read_sysreg(far_el2));
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

/* Post-work: the read's result into its register, then past the instruction. */
static void complete_access(struct arch_regs *regs, const struct io_access *a)
{
	uint64_t value;

	if (io_postwork_value(a, regs->x[a->reg & 31], &value))
		regs->x[a->reg] = value;
	regs->pc += 4;
}

void arm64_handle_dabt(struct vcpu *vcpu, struct arch_regs *regs, uint64_t esr)
{
	struct vm *vm = vcpu->vm;
	uint64_t ipa = dabt_fault_ipa(read_sysreg(hpfar_el2), read_sysreg(far_el2));
	enum io_result result;
	struct io_access access;
	struct dabt_info d;

	dabt_decode(esr, &d);
	if (in_board_ram(ipa) || d.s1ptw) {
		refuse_access(vcpu, regs, &d, ipa);
		return;
	}
	if (!d.isv) {
		vm_crash(vm, "vcpu %u: device access at 0x%llx (pc 0x%llx) by an "
			 "instruction without a valid syndrome (e.g. LDP/STP or "
			 "writeback) is not supported", vcpu->id,
			 (unsigned long long)ipa, (unsigned long long)regs->pc);
		return;
	}
	access = access_from_syndrome(&d, ipa, regs);
	result = io_dispatch(vm_io(vm), vcpu->id, &access);
	if (result == IO_FORWARDED)
		result = io_wait_completion(vm_io(vm), vcpu->id, &access);
	switch (result) {
	case IO_DONE:
		complete_access(regs, &access);
		break;
	case IO_UNHANDLED_ABORT:
	case IO_FAILED: /* the I/O core logged why */
		arm64_inject_abort(vcpu, regs, true, read_sysreg(far_el2));
		break;
	default: /* CANCELLED: the VM is stopping; the vCPU parks on return */
		break;
	}
}

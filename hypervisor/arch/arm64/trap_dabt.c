/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data aborts from the guest: emulated device accesses and accesses to
 * memory the VM does not own.
 */
#include <arm64_trap.h>
#include <dabt.h>
#include <log.h>
#include <sysreg.h>
#include <vm.h>

static uint64_t read_value(const struct dabt_info *d, uint64_t v)
{
	uint64_t mask = d->size == 8 ? ~0ull : (1ull << (d->size * 8)) - 1;

	v &= mask;
	if (d->sign_extend && d->size < 8 && (v >> (d->size * 8 - 1)) & 1)
		v |= ~mask;
	return d->reg64 ? v : v & 0xffffffffull;
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

void arm64_handle_dabt(struct vcpu *vcpu, struct arch_regs *regs, uint64_t esr)
{
	struct vm *vm = vcpu->vm;
	uint64_t ipa = dabt_fault_ipa(read_sysreg(hpfar_el2), read_sysreg(far_el2));
	uint64_t vuart = vm->cfg->vuart_gpa;
	struct dabt_info d;
	uint64_t value;

	dabt_decode(esr, &d);
	if (!vuart || ipa < vuart || ipa - vuart >= VUART_MMIO_SIZE) {
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
	value = d.write && d.reg != 31 ? regs->x[d.reg] : 0;
	if (vuart_access(&vm->vuart, ipa - vuart, d.size, d.write, &value) < 0) {
		refuse_access(vcpu, regs, &d, ipa);
		return;
	}
	if (!d.write && d.reg != 31)
		regs->x[d.reg] = read_value(&d, value);
	regs->pc += 4;
}

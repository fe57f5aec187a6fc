// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera HSM: the Service VM's driver for post-launched User VMs.
 *
 * Binds to the device-tree node "tessera,hsm" that the hypervisor puts into
 * the Service VM's device tree, and offers /dev/tessera_hsm to the device
 * model: one open file is one User VM (uapi/tessera_hsm.h, doc/hsm.rst).
 *
 * This file: the platform driver, the two upcall interrupts, the character
 * device and a debugfs status file. hsm_vm.c has the VM's life and memory,
 * hsm_ioreq.c the request clients and the dispatch of requests to them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "hsm.h"

DEFINE_MUTEX(hsm_vms_lock);
LIST_HEAD(hsm_vms);

static struct {
	struct platform_device *pdev;	/* the bound device, or NULL */
	u32 abi;			/* the hypervisor's TESSERA_HC_VERSION */
	int io_irq;
	int event_irq;
	atomic64_t nr_io;		/* "io" upcalls handled */
	atomic64_t nr_event;		/* "event" upcalls handled */
	atomic64_t nr_event_errors;	/* TESSERA_HC_VM_EVENTS failures */
	struct dentry *debugfs;
} hsm;

/* ---- upcalls ------------------------------------------------------------ */

/*
 * A slot of some VM went PENDING. Only a hint: every VM's slots are scanned.
 * An upcall that arrives while this runs makes the IRQ thread run again.
 */
void hsm_io_upcall(void)
{
	struct hsm_vm *vm;

	mutex_lock(&hsm_vms_lock);
	list_for_each_entry(vm, &hsm_vms, node)
		hsm_dispatch_vm(vm);
	mutex_unlock(&hsm_vms_lock);
}

/* Some VM's state changed: ask which, and tell their device models. */
void hsm_event_upcall(void)
{
	struct hsm_vm *vm;
	long ret;
	u64 bits;

	ret = hsm_hvc(TESSERA_HC_VM_EVENTS, 0, 0, 0);
	/* A bitmap in x0: only -4095..-1 are errors (bit 63 is VM 63). */
	if (IS_ERR_VALUE(ret)) {
		atomic64_inc(&hsm.nr_event_errors);
		pr_warn_ratelimited("TESSERA_HC_VM_EVENTS failed: %ld\n", ret);
		return;
	}
	bits = (u64)ret;
	if (!bits)
		return;
	mutex_lock(&hsm_vms_lock);
	list_for_each_entry(vm, &hsm_vms, node) {
		if (bits & BIT_ULL(vm->vm_id))
			hsm_flag_event(vm, TESSERA_HSM_EVENT_STATE);
	}
	mutex_unlock(&hsm_vms_lock);
}

static irqreturn_t hsm_io_thread(int irq, void *data)
{
	atomic64_inc(&hsm.nr_io);
	hsm_io_upcall();
	return IRQ_HANDLED;
}

static irqreturn_t hsm_event_thread(int irq, void *data)
{
	atomic64_inc(&hsm.nr_event);
	hsm_event_upcall();
	return IRQ_HANDLED;
}

/* ---- /dev/tessera_hsm ----------------------------------------------------- */

static int hsm_open(struct inode *inode, struct file *file)
{
	struct hsm_vm *vm;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return -ENOMEM;
	hsm_vm_init(vm);
	file->private_data = vm;
	return stream_open(inode, file);
}

/*
 * The last reference to the file is gone: the device model closed it, exited
 * or was killed. Destroying the VM makes the hypervisor cancel its
 * outstanding requests; then everything the driver holds for it goes.
 */
static int hsm_release(struct inode *inode, struct file *file)
{
	struct hsm_vm *vm = file->private_data;

	down_write(&vm->sem);
	if (vm->state != HSM_VM_NONE)
		hsm_vm_teardown(vm);
	up_write(&vm->sem);
	kfree(vm);
	return 0;
}

static long hsm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hsm_vm *vm = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case TESSERA_HSM_CREATE_VM:
		return hsm_vm_create(vm, argp);
	case TESSERA_HSM_START_VM:
	case TESSERA_HSM_PAUSE_VM:
	case TESSERA_HSM_RESUME_VM:
	case TESSERA_HSM_RESET_VM:
	case TESSERA_HSM_DESTROY_VM:
		/* No argument: anything but 0 is a caller's mistake. */
		if (arg)
			return -EINVAL;
		return hsm_vm_lifecycle(vm, cmd);
	case TESSERA_HSM_SET_MEMORY:
		return hsm_vm_set_memory(vm, argp);
	case TESSERA_HSM_SET_VCPU_REGS:
		return hsm_vm_set_vcpu_regs(vm, argp);
	case TESSERA_HSM_IRQ_LINE:
		return hsm_vm_irq_line(vm, argp);
	case TESSERA_HSM_CREATE_CLIENT:
		return hsm_create_client(vm, argp);
	case TESSERA_HSM_DESTROY_CLIENT:
		return hsm_destroy_client(vm, argp);
	case TESSERA_HSM_ADD_RANGE:
		return hsm_add_range(vm, argp);
	case TESSERA_HSM_WAIT:
		return hsm_wait(vm, argp);
	case TESSERA_HSM_NOTIFY:
		return hsm_notify(vm, argp);
	case TESSERA_HSM_GET_INFO:
		return hsm_vm_get_info(vm, argp);
	case TESSERA_HSM_GET_IO_STATS:
		return hsm_vm_get_io_stats(vm, argp);
	default:
		return -ENOTTY;
	}
}

static int hsm_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	return hsm_mmap(file->private_data, vma);
}

static const struct file_operations hsm_fops = {
	.owner = THIS_MODULE,	/* no unload while a file is open */
	.open = hsm_open,
	.release = hsm_release,
	.unlocked_ioctl = hsm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,	/* the layouts are the same */
	.mmap = hsm_file_mmap,
	.llseek = no_llseek,
};

static struct miscdevice hsm_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = HSM_NAME,
	.fops = &hsm_fops,
	.mode = 0600,
};

/* ---- debugfs: /sys/kernel/debug/tessera_hsm/status ---------------------- */

static const char *const hsm_state_names[] = {
	[HSM_VM_NONE] = "none",
	[HSM_VM_CREATED] = "created",
	[HSM_VM_STARTED] = "started",
};

static const char *const hsm_type_names[] = { "pio", "mmio", "pci_cfg" };

static int hsm_status_show(struct seq_file *s, void *unused)
{
	struct hsm_vm *vm;
	unsigned int i, r;

	seq_printf(s, "bound: %s\n", hsm.pdev ? dev_name(&hsm.pdev->dev) : "no");
	seq_printf(s, "hypervisor abi: %u.%u\n", hsm.abi >> 16, hsm.abi & 0xffff);
	seq_printf(s, "irqs: io %d event %d\n", hsm.io_irq, hsm.event_irq);
	seq_printf(s, "upcalls: io %lld event %lld event_errors %lld\n",
		   (long long)atomic64_read(&hsm.nr_io),
		   (long long)atomic64_read(&hsm.nr_event),
		   (long long)atomic64_read(&hsm.nr_event_errors));

	mutex_lock(&hsm_vms_lock);
	list_for_each_entry(vm, &hsm_vms, node) {
		seq_printf(s, "vm %u '%s': %s, %u vcpus, %s completion, %u request pages, %llu bytes pinned\n",
			   vm->vm_id, vm->name, hsm_state_names[READ_ONCE(vm->state)],
			   vm->vcpu_count,
			   vm->completion_mode == TESSERA_IO_COMPLETION_POLLING ?
			   "polling" : "notify",
			   vm->nr_req_pages, READ_ONCE(vm->pinned_bytes));
		spin_lock(&vm->ioreq_lock);
		seq_printf(s, "  dispatched %llu, unrouted %llu, unrouted now %#llx, events %#x\n",
			   vm->nr_dispatched, vm->nr_unrouted, vm->unrouted,
			   vm->events);
		for (i = 0; i < vm->vcpu_count; i++) {
			u32 st = READ_ONCE(vm->slots[i].state);

			if (st != TESSERA_IO_STATE_FREE)
				seq_printf(s, "  vcpu %u: slot state %u\n", i, st);
		}
		for (i = 0; i < TESSERA_HSM_MAX_CLIENTS; i++) {
			struct hsm_client *c = vm->clients[i];

			if (!c)
				continue;
			seq_printf(s, "  client %u%s: pending %#llx, events %#x, %u ranges\n",
				   c->id, c->is_default ? " (default)" : "",
				   c->pending, c->events, c->nr_ranges);
			for (r = 0; r < c->nr_ranges; r++)
				seq_printf(s, "    %s %#llx-%#llx\n",
					   hsm_type_names[c->ranges[r].type],
					   c->ranges[r].start, c->ranges[r].end);
		}
		spin_unlock(&vm->ioreq_lock);
	}
	mutex_unlock(&hsm_vms_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hsm_status);

/* ---- the platform driver -------------------------------------------------- */

static int hsm_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	long ver;
	int ret;

	if (hsm.pdev) {
		dev_err(dev, "%s is already bound: only one Tessera HSM\n",
			dev_name(&hsm.pdev->dev));
		return -EBUSY;
	}

	ver = hsm_hvc(TESSERA_HC_VERSION, 0, 0, 0);
	if (ver < 0) {
		dev_err(dev, "TESSERA_HC_VERSION failed (%ld%s): not running under the Tessera hypervisor, not binding\n",
			ver, ver == SMCCC_RET_NOT_SUPPORTED ? ", SMCCC NOT_SUPPORTED" : "");
		return -ENODEV;
	}
	if (ver > U32_MAX || (ver >> 16) != (TESSERA_HC_ABI_VERSION >> 16)) {
		dev_err(dev, "hypervisor ABI %#lx (major %lu), this driver needs major %u: not binding\n",
			ver, ver >> 16, TESSERA_HC_ABI_VERSION >> 16);
		return -EPROTO;
	}

	hsm.io_irq = platform_get_irq_byname(pdev, "io");
	if (hsm.io_irq < 0)
		return dev_err_probe(dev, hsm.io_irq, "no \"io\" interrupt\n");
	hsm.event_irq = platform_get_irq_byname(pdev, "event");
	if (hsm.event_irq < 0)
		return dev_err_probe(dev, hsm.event_irq, "no \"event\" interrupt\n");

	/*
	 * Threaded, oneshot: the dispatch takes mutexes. An edge that comes
	 * while the thread runs stays pending in the GIC (the line is masked)
	 * and runs the thread once more, so no upcall is lost.
	 */
	ret = devm_request_threaded_irq(dev, hsm.io_irq, NULL, hsm_io_thread,
					IRQF_ONESHOT, "tessera-hsm-io", NULL);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request the io interrupt\n");
	ret = devm_request_threaded_irq(dev, hsm.event_irq, NULL, hsm_event_thread,
					IRQF_ONESHOT, "tessera-hsm-event", NULL);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request the event interrupt\n");

	hsm.abi = (u32)ver;
	hsm.pdev = pdev;
	ret = misc_register(&hsm_misc);
	if (ret) {
		hsm.pdev = NULL;
		return dev_err_probe(dev, ret, "cannot register /dev/%s\n", HSM_NAME);
	}
	dev_info(dev, "bound: hypervisor ABI %u.%u, io irq %d, event irq %d, /dev/%s\n",
		 hsm.abi >> 16, hsm.abi & 0xffff, hsm.io_irq, hsm.event_irq,
		 HSM_NAME);
	return 0;
}

/*
 * Only at module unload (no sysfs unbind: suppress_bind_attrs), which the
 * files' module reference forbids while any is open: no VM exists here.
 */
static int hsm_remove(struct platform_device *pdev)
{
	misc_deregister(&hsm_misc);
	hsm.pdev = NULL;
	dev_info(&pdev->dev, "unbound\n");
	return 0;
}

static const struct of_device_id hsm_of_match[] = {
	{ .compatible = "tessera,hsm" },
	{ }
};
MODULE_DEVICE_TABLE(of, hsm_of_match);

static struct platform_driver hsm_driver = {
	.probe = hsm_probe,
	.remove = hsm_remove,
	.driver = {
		.name = "tessera-hsm",
		.of_match_table = hsm_of_match,
		.suppress_bind_attrs = true,
	},
};

static int __init hsm_init(void)
{
	struct device_node *np;
	int ret;

#ifdef TESSERA_HSM_MOCK
	pr_warn("TEST BUILD: hypercalls go to a mock hypervisor inside this module\n");
	ret = hsm_mock_init();
	if (ret)
		return ret;
#endif
	hsm.io_irq = -1;
	hsm.event_irq = -1;
	hsm.debugfs = debugfs_create_dir(HSM_NAME, NULL);
	debugfs_create_file("status", 0400, hsm.debugfs, NULL, &hsm_status_fops);

	ret = platform_driver_register(&hsm_driver);
	if (ret) {
		debugfs_remove_recursive(hsm.debugfs);
#ifdef TESSERA_HSM_MOCK
		hsm_mock_exit();
#endif
		return ret;
	}

	/* Probing is synchronous: by now the device is bound or not. */
	np = of_find_compatible_node(NULL, NULL, "tessera,hsm");
	if (!np)
		pr_info("no \"tessera,hsm\" device-tree node: not a Tessera Service VM, nothing to bind\n");
	else if (!hsm.pdev)
		pr_info("%pOF: not bound (see above)\n", np);
	of_node_put(np);
	return 0;
}

static void __exit hsm_exit(void)
{
	platform_driver_unregister(&hsm_driver);
	debugfs_remove_recursive(hsm.debugfs);
#ifdef TESSERA_HSM_MOCK
	hsm_mock_exit();
#endif
}

module_init(hsm_init);
module_exit(hsm_exit);

MODULE_DESCRIPTION("Tessera hypervisor: Service VM driver for post-launched VMs (HSM)");
MODULE_LICENSE("GPL");

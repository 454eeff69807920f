/* kvm-vmm: a minimal KVM virtual machine monitor for RISC-V Linux (6.1's KVM ABI), the
 * project's own stand-in for kvmtool (not packaged for riscv64 in Debian 12).
 *
 *   kvm-vmm [-m MIB] GUEST.ELF
 *
 * One VM, one vCPU, MIB (default 8) MiB of guest RAM at guest physical 0x80000000. The ELF's
 * PT_LOAD segments are copied there by physical address; the vCPU starts at the entry in VS
 * mode with a0 = 0 (hart id) and a1 = the RAM size. The run loop serves what KVM leaves to user
 * space: the legacy SBI console (KVM_EXIT_RISCV_SBI), a 16550 transmitter at 0x10000000
 * (KVM_EXIT_MMIO) and the guest's SRST/legacy shutdown (KVM_EXIT_SYSTEM_EVENT). Everything
 * else (SBI base, TIME, IPI, RFENCE, HSM, the G-stage, timer interrupts) KVM does itself.
 * Exit status: 0 when the guest shut down with reason 0, 1 for any other end, 2 for bad usage
 * or input. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RAM_BASE 0x80000000ul
#define UART_BASE 0x10000000ul
#define UART_SIZE 8
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_IDLE 0x60 /* THRE | TEMT: the transmitter always has room */

#define SBI_EXT_0_1_CONSOLE_PUTCHAR 0x01
#define SBI_EXT_0_1_CONSOLE_GETCHAR 0x02
#define SBI_ERR_NOT_SUPPORTED (-2l)

#define CORE_REG(name) \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(name))
#define TIMER_REG(name) \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_TIMER | KVM_REG_RISCV_TIMER_REG(name))
#define CONFIG_REG(name) \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CONFIG | KVM_REG_RISCV_CONFIG_REG(name))

struct vm {
	int kvm_fd, vm_fd, vcpu_fd;
	uint8_t *ram;
	size_t ram_bytes;
	struct kvm_run *run;
	size_t run_bytes;
	unsigned long sbi_exits, mmio_exits, other_exits;
};

/* Copies the ELF's PT_LOAD segments into guest RAM by physical address; returns the entry or 0
 * with a message for an ELF that is not a RISC-V ELF64 or does not fit in RAM. */
static uint64_t load_elf(struct vm *vm, const char *path)
{
	uint64_t entry = 0;
	uint8_t *img = MAP_FAILED;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "kvm-vmm: %s: cannot open: %s\n", path, strerror(errno));
		goto out;
	}
	if ((size_t)st.st_size < sizeof(Elf64_Ehdr)) {
		fprintf(stderr, "kvm-vmm: %s: not an ELF file (too short)\n", path);
		goto out;
	}
	img = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (img == MAP_FAILED) {
		fprintf(stderr, "kvm-vmm: %s: cannot map: %s\n", path, strerror(errno));
		goto out;
	}
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_RISCV || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > (uint64_t)st.st_size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)st.st_size - eh->e_phoff) {
		fprintf(stderr, "kvm-vmm: %s: not a RISC-V ELF64 executable\n", path);
		goto out;
	}
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		uint64_t pa = ph[i].p_paddr, mem = ph[i].p_memsz, file = ph[i].p_filesz;
		if (pa < RAM_BASE || pa - RAM_BASE > vm->ram_bytes || mem > vm->ram_bytes - (pa - RAM_BASE) ||
		    file > mem || ph[i].p_offset > (uint64_t)st.st_size || file > (uint64_t)st.st_size - ph[i].p_offset) {
			fprintf(stderr, "kvm-vmm: %s: segment %u (0x%llx, %llu bytes) is outside guest RAM "
				"0x%lx-0x%lx\n", path, i, (unsigned long long)pa, (unsigned long long)mem,
				RAM_BASE, RAM_BASE + vm->ram_bytes);
			goto out;
		}
		memcpy(vm->ram + (pa - RAM_BASE), img + ph[i].p_offset, file);
		memset(vm->ram + (pa - RAM_BASE) + file, 0, mem - file);
	}
	if (eh->e_entry < RAM_BASE || eh->e_entry - RAM_BASE >= vm->ram_bytes) {
		fprintf(stderr, "kvm-vmm: %s: entry 0x%llx is outside guest RAM\n", path,
			(unsigned long long)eh->e_entry);
		goto out;
	}
	entry = eh->e_entry;
out:
	if (img != MAP_FAILED)
		munmap(img, st.st_size);
	if (fd >= 0)
		close(fd);
	return entry;
}

static int set_reg(struct vm *vm, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = {.id = id, .addr = (uintptr_t)&val};
	return ioctl(vm->vcpu_fd, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

static int get_reg(struct vm *vm, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = {.id = id, .addr = (uintptr_t)val};
	return ioctl(vm->vcpu_fd, KVM_GET_ONE_REG, &reg) < 0 ? -errno : 0;
}

/* Creates the VM, its RAM slot, the vCPU and its kvm_run page; 0 or -errno with a message. */
static int vm_create(struct vm *vm)
{
	int ret;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		ret = -errno;
		fprintf(stderr, "kvm-vmm: /dev/kvm: cannot open: %s\n", strerror(errno));
		return ret;
	}
	int api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvm-vmm: /dev/kvm: API version %d, want %d\n", api, KVM_API_VERSION);
		return -EINVAL;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = -errno;
		fprintf(stderr, "kvm-vmm: KVM_CREATE_VM: %s\n", strerror(errno));
		return ret;
	}
	vm->ram = mmap(NULL, vm->ram_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->ram == MAP_FAILED) {
		ret = -errno;
		vm->ram = NULL;
		fprintf(stderr, "kvm-vmm: guest RAM (%zu bytes): %s\n", vm->ram_bytes, strerror(errno));
		return ret;
	}
	struct kvm_userspace_memory_region slot = {
		.slot = 0,
		.guest_phys_addr = RAM_BASE,
		.memory_size = vm->ram_bytes,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0) {
		ret = -errno;
		fprintf(stderr, "kvm-vmm: KVM_SET_USER_MEMORY_REGION: %s\n", strerror(errno));
		return ret;
	}
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		ret = -errno;
		fprintf(stderr, "kvm-vmm: KVM_CREATE_VCPU: %s\n", strerror(errno));
		return ret;
	}
	int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		fprintf(stderr, "kvm-vmm: KVM_GET_VCPU_MMAP_SIZE: %d\n", size);
		return -EINVAL;
	}
	vm->run_bytes = size;
	vm->run = mmap(NULL, vm->run_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		ret = -errno;
		vm->run = NULL;
		fprintf(stderr, "kvm-vmm: kvm_run mmap: %s\n", strerror(errno));
		return ret;
	}
	return 0;
}

static void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_bytes);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->ram)
		munmap(vm->ram, vm->ram_bytes);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}

/* The guest's console bytes go out unbuffered-by-line, so they interleave with the kernel's
 * messages as they happen. */
static void guest_putc(int c)
{
	putchar(c);
	if (c == '\n')
		fflush(stdout);
}

static void handle_sbi(struct vm *vm)
{
	struct kvm_run *r = vm->run;
	vm->sbi_exits++;
	switch (r->riscv_sbi.extension_id) {
	case SBI_EXT_0_1_CONSOLE_PUTCHAR:
		guest_putc((int)(r->riscv_sbi.args[0] & 0xff));
		r->riscv_sbi.ret[0] = 0;
		break;
	case SBI_EXT_0_1_CONSOLE_GETCHAR:
		r->riscv_sbi.ret[0] = (unsigned long)-1l; /* no input */
		break;
	default:
		r->riscv_sbi.ret[0] = (unsigned long)SBI_ERR_NOT_SUPPORTED;
		break;
	}
}

/* Returns 0, or -EFAULT for an access outside every device (the guest is stopped). */
static int handle_mmio(struct vm *vm)
{
	struct kvm_run *r = vm->run;
	uint64_t pa = r->mmio.phys_addr;
	vm->mmio_exits++;
	if (pa < UART_BASE || pa >= UART_BASE + UART_SIZE || r->mmio.len != 1) {
		fprintf(stderr, "kvm-vmm: guest %s of %u bytes at 0x%llx: no device there\n",
			r->mmio.is_write ? "write" : "read", r->mmio.len, (unsigned long long)pa);
		return -EFAULT;
	}
	if (r->mmio.is_write) {
		if (pa - UART_BASE == UART_THR)
			guest_putc(r->mmio.data[0]);
	} else {
		r->mmio.data[0] = pa - UART_BASE == UART_LSR ? UART_LSR_IDLE : 0;
	}
	return 0;
}

/* Runs the vCPU until the guest shuts down: 0 for reason 0, 1 for anything else. */
static int run_loop(struct vm *vm)
{
	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "kvm-vmm: KVM_RUN: %s\n", strerror(errno));
			return 1;
		}
		struct kvm_run *r = vm->run;
		switch (r->exit_reason) {
		case KVM_EXIT_RISCV_SBI:
			handle_sbi(vm);
			break;
		case KVM_EXIT_MMIO:
			if (handle_mmio(vm) < 0)
				return 1;
			break;
		case KVM_EXIT_SYSTEM_EVENT: {
			uint64_t reason = r->system_event.ndata ? r->system_event.data[0] : 0;
			fflush(stdout);
			printf("kvm-vmm: guest system event %u (%s), reason %llu\n", r->system_event.type,
			       r->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ? "shutdown"
			       : r->system_event.type == KVM_SYSTEM_EVENT_RESET  ? "reset"
										  : "other",
			       (unsigned long long)reason);
			return r->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN && reason == 0 ? 0 : 1;
		}
		case KVM_EXIT_INTR:
			vm->other_exits++;
			break;
		default:
			fprintf(stderr, "kvm-vmm: unexpected exit reason %u\n", r->exit_reason);
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	struct vm vm = {.kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1, .ram_bytes = 8ul << 20};
	int opt, status = 1;
	while ((opt = getopt(argc, argv, "m:")) != -1) {
		char *end;
		unsigned long mib;
		switch (opt) {
		case 'm':
			errno = 0;
			mib = strtoul(optarg, &end, 0);
			if (errno || *end || mib < 2 || mib > 1024) {
				fprintf(stderr, "kvm-vmm: -m '%s': want guest RAM in MiB, 2 to 1024\n", optarg);
				return 2;
			}
			vm.ram_bytes = mib << 20;
			break;
		default:
			fprintf(stderr, "usage: kvm-vmm [-m MIB] GUEST.ELF\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: kvm-vmm [-m MIB] GUEST.ELF\n");
		return 2;
	}
	const char *path = argv[optind];
	if (vm_create(&vm) < 0)
		goto out;
	uint64_t entry = load_elf(&vm, path), freq = 0, isa = 0;
	if (!entry) {
		status = 2;
		goto out;
	}
	int err = set_reg(&vm, CORE_REG(regs.pc), entry);
	if (!err)
		err = set_reg(&vm, CORE_REG(regs.a0), 0);
	if (!err)
		err = set_reg(&vm, CORE_REG(regs.a1), vm.ram_bytes);
	if (!err)
		err = get_reg(&vm, TIMER_REG(frequency), &freq);
	if (!err)
		err = get_reg(&vm, CONFIG_REG(isa), &isa);
	if (err) {
		fprintf(stderr, "kvm-vmm: KVM_SET/GET_ONE_REG: %s\n", strerror(-err));
		goto out;
	}
	char isa_str[27] = "", *p = isa_str;
	for (int i = 0; i < 26; i++)
		if (isa >> i & 1)
			*p++ = (char)('a' + i);
	*p = 0;
	printf("kvm-vmm: KVM API %d, vcpu isa %s, timer %llu Hz, %zu MiB at 0x%lx, entry 0x%llx (%s)\n",
	       KVM_API_VERSION, isa_str, (unsigned long long)freq, vm.ram_bytes >> 20, RAM_BASE,
	       (unsigned long long)entry, path);
	fflush(stdout);
	status = run_loop(&vm);
	printf("kvm-vmm: exits to user space: %lu SBI, %lu MMIO, %lu other\n", vm.sbi_exits, vm.mmio_exits,
	       vm.other_exits);
out:
	fflush(stdout);
	vm_destroy(&vm);
	return status;
}

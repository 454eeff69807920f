/* kvm-vmm: a minimal KVM virtual machine monitor for RISC-V Linux (6.1's KVM ABI), the
 * project's own stand-in for kvmtool (not packaged for riscv64 in Debian 12).
 *
 *   kvm-vmm [-m MIB] [-c VCPUS] GUEST.ELF
 *
 * One VM with VCPUS (default 2) vCPUs, each run by a thread of its own, and MIB (default 8) MiB
 * of guest RAM at guest physical 0x80000000. The ELF's PT_LOAD segments are copied there by
 * physical address; vCPU 0 starts at the entry in VS mode with a0 = 0 (hart id) and a1 = the
 * RAM size, the others wait stopped for the guest's SBI HSM hart_start (KVM's rule). The run
 * loops serve what KVM leaves to user space: the legacy SBI console (KVM_EXIT_RISCV_SBI), a
 * 16550 transmitter at 0x10000000 (KVM_EXIT_MMIO) and the guest's SRST/legacy shutdown
 * (KVM_EXIT_SYSTEM_EVENT), which ends every loop. Everything else (SBI base, TIME, IPI,
 * RFENCE, HSM, the G-stage, timer and software interrupts) KVM does itself.
 * Exit status: 0 when the guest shut down with reason 0, 1 for any other end, 2 for bad usage
 * or input. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RAM_BASE      0x80000000ul
#define UART_BASE     0x10000000ul
#define UART_SIZE     8
#define UART_THR      0
#define UART_LSR      5
#define UART_LSR_IDLE 0x60 /* THRE | TEMT: the transmitter always has room */

#define SBI_EXT_0_1_CONSOLE_PUTCHAR 0x01
#define SBI_EXT_0_1_CONSOLE_GETCHAR 0x02
#define SBI_ERR_NOT_SUPPORTED	    (-2l)

#define CORE_REG(name)                                                                             \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(name))
#define TIMER_REG(name)                                                                            \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_TIMER | KVM_REG_RISCV_TIMER_REG(name))
#define CONFIG_REG(name)                                                                           \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CONFIG | KVM_REG_RISCV_CONFIG_REG(name))

#define MAX_VCPUS 4

struct vm;

struct vcpu {
	struct vm *vm;
	int id, fd;
	struct kvm_run *run;
	pthread_t thread;
	int started;
};

struct vm {
	int kvm_fd, vm_fd;
	uint8_t *ram;
	size_t ram_bytes, run_bytes;
	int nvcpus;
	struct vcpu vcpus[MAX_VCPUS];
	pthread_mutex_t lock; /* the console, the counters, done */
	unsigned long sbi_exits, mmio_exits, other_exits;
	int done, status;
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
		if (pa < RAM_BASE || pa - RAM_BASE > vm->ram_bytes ||
		    mem > vm->ram_bytes - (pa - RAM_BASE) || file > mem ||
		    ph[i].p_offset > (uint64_t)st.st_size ||
		    file > (uint64_t)st.st_size - ph[i].p_offset) {
			fprintf(stderr,
				"kvm-vmm: %s: segment %u (0x%llx, %llu bytes) is outside guest RAM "
				"0x%lx-0x%lx\n",
				path, i, (unsigned long long)pa, (unsigned long long)mem, RAM_BASE,
				RAM_BASE + vm->ram_bytes);
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

static int set_reg(struct vcpu *c, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = {.id = id, .addr = (uintptr_t)&val};
	return ioctl(c->fd, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

static int get_reg(struct vcpu *c, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = {.id = id, .addr = (uintptr_t)val};
	return ioctl(c->fd, KVM_GET_ONE_REG, &reg) < 0 ? -errno : 0;
}

/* Creates the VM, its RAM slot, the vCPUs and their kvm_run pages; 0 or -errno with a message. */
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
		fprintf(stderr, "kvm-vmm: /dev/kvm: API version %d, want %d\n", api,
			KVM_API_VERSION);
		return -EINVAL;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = -errno;
		fprintf(stderr, "kvm-vmm: KVM_CREATE_VM: %s\n", strerror(errno));
		return ret;
	}
	vm->ram =
	    mmap(NULL, vm->ram_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->ram == MAP_FAILED) {
		ret = -errno;
		vm->ram = NULL;
		fprintf(stderr, "kvm-vmm: guest RAM (%zu bytes): %s\n", vm->ram_bytes,
			strerror(errno));
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
	int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		fprintf(stderr, "kvm-vmm: KVM_GET_VCPU_MMAP_SIZE: %d\n", size);
		return -EINVAL;
	}
	vm->run_bytes = size;
	for (int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *c = &vm->vcpus[i];
		c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (c->fd < 0) {
			ret = -errno;
			fprintf(stderr, "kvm-vmm: KVM_CREATE_VCPU %d: %s\n", i, strerror(errno));
			return ret;
		}
		c->run = mmap(NULL, vm->run_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
		if (c->run == MAP_FAILED) {
			ret = -errno;
			c->run = NULL;
			fprintf(stderr, "kvm-vmm: vCPU %d's kvm_run mmap: %s\n", i,
				strerror(errno));
			return ret;
		}
	}
	return 0;
}

static void vm_destroy(struct vm *vm)
{
	for (int i = 0; i < vm->nvcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_bytes);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	}
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->ram)
		munmap(vm->ram, vm->ram_bytes);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}

/* The guest's console bytes go out flushed at each newline, so they interleave with the
 * kernel's messages as they happen. Called with vm->lock held. */
static void guest_putc(int c)
{
	putchar(c);
	if (c == '\n')
		fflush(stdout);
}

/* Called with vm->lock held, as handle_mmio. */
static void handle_sbi(struct vm *vm, struct kvm_run *r)
{
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
static int handle_mmio(struct vm *vm, struct kvm_run *r)
{
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

static void on_kick(int sig)
{
	(void)sig; /* only interrupts KVM_RUN */
}

/* Ends the VM with status (the first end wins): every other vCPU's KVM_RUN returns at once
 * (immediate_exit, set before the kick so that a thread about to enter cannot miss it). */
static void vm_stop(struct vm *vm, struct vcpu *self, int status)
{
	pthread_mutex_lock(&vm->lock);
	if (!vm->done) {
		vm->done = 1;
		vm->status = status;
		for (int i = 0; i < vm->nvcpus; i++) {
			struct vcpu *c = &vm->vcpus[i];
			if (c == self || !c->started)
				continue;
			__atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
			pthread_kill(c->thread, SIGUSR1);
		}
	}
	pthread_mutex_unlock(&vm->lock);
}

/* One vCPU's run loop, until the guest shuts down or another vCPU ends the VM. */
static void *vcpu_thread(void *arg)
{
	struct vcpu *c = arg;
	struct vm *vm = c->vm;
	for (;;) {
		if (__atomic_load_n(&vm->done, __ATOMIC_SEQ_CST))
			return NULL;
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				if (__atomic_load_n(&vm->done, __ATOMIC_SEQ_CST))
					return NULL; /* vm_stop's kick */
				pthread_mutex_lock(&vm->lock);
				vm->other_exits++;
				pthread_mutex_unlock(&vm->lock);
				continue;
			}
			fprintf(stderr, "kvm-vmm: vCPU %d: KVM_RUN: %s\n", c->id, strerror(errno));
			vm_stop(vm, c, 1);
			return NULL;
		}
		struct kvm_run *r = c->run;
		int err = 0;
		switch (r->exit_reason) {
		case KVM_EXIT_RISCV_SBI:
			pthread_mutex_lock(&vm->lock);
			handle_sbi(vm, r);
			pthread_mutex_unlock(&vm->lock);
			break;
		case KVM_EXIT_MMIO:
			pthread_mutex_lock(&vm->lock);
			err = handle_mmio(vm, r);
			pthread_mutex_unlock(&vm->lock);
			if (err < 0) {
				vm_stop(vm, c, 1);
				return NULL;
			}
			break;
		case KVM_EXIT_SYSTEM_EVENT: {
			uint64_t reason = r->system_event.ndata ? r->system_event.data[0] : 0;
			pthread_mutex_lock(&vm->lock);
			fflush(stdout);
			printf("kvm-vmm: guest system event %u (%s) on vCPU %d, reason %llu\n",
			       r->system_event.type,
			       r->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ? "shutdown"
			       : r->system_event.type == KVM_SYSTEM_EVENT_RESET	 ? "reset"
										 : "other",
			       c->id, (unsigned long long)reason);
			pthread_mutex_unlock(&vm->lock);
			vm_stop(vm, c,
				r->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN && reason == 0
				    ? 0
				    : 1);
			return NULL;
		}
		case KVM_EXIT_INTR:
			pthread_mutex_lock(&vm->lock);
			vm->other_exits++;
			pthread_mutex_unlock(&vm->lock);
			break;
		default:
			fprintf(stderr, "kvm-vmm: vCPU %d: unexpected exit reason %u\n", c->id,
				r->exit_reason);
			vm_stop(vm, c, 1);
			return NULL;
		}
	}
}

/* Starts a thread per vCPU and waits for them all: the VM's status. */
static int vm_run(struct vm *vm)
{
	struct sigaction sa = {.sa_handler = on_kick}; /* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	for (int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *c = &vm->vcpus[i];
		pthread_mutex_lock(&vm->lock);
		int err = vm->done ? 0 : pthread_create(&c->thread, NULL, vcpu_thread, c);
		c->started = !vm->done && !err;
		pthread_mutex_unlock(&vm->lock);
		if (err) {
			fprintf(stderr, "kvm-vmm: vCPU %d thread: %s\n", i, strerror(err));
			vm_stop(vm, NULL, 1);
		}
	}
	for (int i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
	return vm->status;
}

int main(int argc, char **argv)
{
	struct vm vm = {.kvm_fd = -1,
			.vm_fd = -1,
			.ram_bytes = 8ul << 20,
			.nvcpus = 2,
			.lock = PTHREAD_MUTEX_INITIALIZER};
	int opt, status = 1;
	for (int i = 0; i < MAX_VCPUS; i++)
		vm.vcpus[i] = (struct vcpu){.vm = &vm, .id = i, .fd = -1};
	while ((opt = getopt(argc, argv, "m:c:")) != -1) {
		char *end;
		unsigned long mib, n;
		switch (opt) {
		case 'c':
			errno = 0;
			n = strtoul(optarg, &end, 0);
			if (errno || *end || n < 1 || n > MAX_VCPUS) {
				fprintf(stderr, "kvm-vmm: -c '%s': want 1 to %d vCPUs\n", optarg,
					MAX_VCPUS);
				return 2;
			}
			vm.nvcpus = (int)n;
			break;
		case 'm':
			errno = 0;
			mib = strtoul(optarg, &end, 0);
			if (errno || *end || mib < 2 || mib > 1024) {
				fprintf(stderr,
					"kvm-vmm: -m '%s': want guest RAM in MiB, 2 to 1024\n",
					optarg);
				return 2;
			}
			vm.ram_bytes = mib << 20;
			break;
		default:
			fprintf(stderr, "usage: kvm-vmm [-m MIB] [-c VCPUS] GUEST.ELF\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: kvm-vmm [-m MIB] [-c VCPUS] GUEST.ELF\n");
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
	struct vcpu *boot = &vm.vcpus[0];
	int err = set_reg(boot, CORE_REG(regs.pc), entry);
	if (!err)
		err = set_reg(boot, CORE_REG(regs.a0), 0);
	if (!err)
		err = set_reg(boot, CORE_REG(regs.a1), vm.ram_bytes);
	if (!err)
		err = get_reg(boot, TIMER_REG(frequency), &freq);
	if (!err)
		err = get_reg(boot, CONFIG_REG(isa), &isa);
	if (err) {
		fprintf(stderr, "kvm-vmm: KVM_SET/GET_ONE_REG: %s\n", strerror(-err));
		goto out;
	}
	char isa_str[27] = "", *p = isa_str;
	for (int i = 0; i < 26; i++)
		if (isa >> i & 1)
			*p++ = (char)('a' + i);
	*p = 0;
	printf("kvm-vmm: KVM API %d, %d vCPUs, isa %s, timer %llu Hz, %zu MiB at 0x%lx, entry "
	       "0x%llx (%s)\n",
	       KVM_API_VERSION, vm.nvcpus, isa_str, (unsigned long long)freq, vm.ram_bytes >> 20,
	       RAM_BASE, (unsigned long long)entry, path);
	fflush(stdout);
	status = vm_run(&vm);
	printf("kvm-vmm: exits to user space: %lu SBI, %lu MMIO, %lu other\n", vm.sbi_exits,
	       vm.mmio_exits, vm.other_exits);
out:
	fflush(stdout);
	vm_destroy(&vm);
	return status;
}

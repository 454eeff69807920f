#include "machine/loader.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/bus.h"
#include "machine/test_util.h"
#include "util/err.h"

#define RAM   0x80000000ull
#define RAMSZ (1ull << 20)

static char dir[] = "/tmp/strata_loader_testXXXXXX";

static const char *tmp(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* A minimal ELF64 with one PT_LOAD and a symbol table defining tohost/fromhost. */
static const char *write_elf(const char *name, unsigned char cls, uint16_t mach, uint64_t paddr,
			     uint64_t filesz, uint64_t memsz)
{
	static uint8_t img[0x600];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + 64);
	Elf64_Sym *sym = (Elf64_Sym *)(img + 0x200);
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + 0x400);
	static const char strtab[] = "\0tohost\0fromhost";
	const char *path = tmp(name);
	FILE *f;

	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = cls;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = mach;
	eh->e_version = EV_CURRENT;
	eh->e_entry = paddr + 4;
	eh->e_phoff = 64;
	eh->e_shoff = 0x400;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	eh->e_shentsize = sizeof(*sh);
	eh->e_shnum = 3;
	ph->p_type = PT_LOAD;
	ph->p_offset = 0x100;
	ph->p_vaddr = ph->p_paddr = paddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	memset(img + 0x100, 0xab, filesz < 0x100 ? filesz : 0x100);
	sym[1].st_name = 1;
	sym[1].st_value = paddr + 0x40;
	sym[2].st_name = 8;
	sym[2].st_value = paddr + 0x48;
	memcpy(img + 0x300, strtab, sizeof(strtab));
	sh[1].sh_type = SHT_SYMTAB;
	sh[1].sh_offset = 0x200;
	sh[1].sh_size = 3 * sizeof(Elf64_Sym);
	sh[1].sh_entsize = sizeof(Elf64_Sym);
	sh[1].sh_link = 2;
	sh[2].sh_type = SHT_STRTAB;
	sh[2].sh_offset = 0x300;
	sh[2].sh_size = sizeof(strtab);
	f = fopen(path, "wb");
	fwrite(img, 1, sizeof(img), f);
	fclose(f);
	return path;
}

static const char *write_raw(const char *name, size_t size)
{
	const char *path = tmp(name);
	uint8_t *buf = malloc(size ? size : 1);
	FILE *f = fopen(path, "wb");

	for (size_t i = 0; i < size; i++)
		buf[i] = (uint8_t)i;
	fwrite(buf, 1, size, f);
	fclose(f);
	free(buf);
	return path;
}

static int dummy_rw(void *o, uint64_t off, unsigned size, uint64_t *v)
{
	return 0;
}
static const struct mmio_ops dummy = {dummy_rw, NULL, NULL, NULL};

static struct bus *mkbus(void)
{
	struct bus *b = bus_new(RAM, RAMSZ, 0x1000, 0xf000);

	bus_add_mmio(b, 0x10000000, 0x100, "uart0", &dummy, NULL);
	return b;
}

static bool msg_has(const char *needle)
{
	return err_msg() && strstr(err_msg(), needle) && !strchr(err_msg(), '\n');
}

static int elf_ok(void)
{
	struct bus *b = mkbus();
	struct loader *l = loader_new(b);
	struct loader_image img;
	const char *p = write_elf("ok.elf", ELFCLASS64, EM_RISCV, RAM + 0x1000, 0x80, 0x200);
	uint8_t *ram = bus_ram_ptr(b, RAM + 0x1000, 0x200);

	memset(ram, 0x55, 0x200);
	CHECK(loader_load(l, "-kernel", p, 0, true, &img) == 0, "load: %s", err_msg());
	CHECK(img.elf && img.entry == RAM + 0x1004, "entry %#llx", (unsigned long long)img.entry);
	CHECK(img.lo == RAM + 0x1000 && img.hi == RAM + 0x1200, "extent");
	CHECK(ram[0] == 0xab && ram[0x7f] == 0xab, "file bytes copied");
	CHECK(ram[0x80] == 0 && ram[0x1ff] == 0, "memsz beyond filesz zero-filled");
	CHECK(img.has_tohost && img.tohost == RAM + 0x1040 && img.fromhost == RAM + 0x1048,
	      "tohost/fromhost symbols");
	loader_free(l);
	bus_free(b);
	return 0;
}

static int errors(void)
{
	struct bus *b = mkbus();
	struct loader *l = loader_new(b);
	struct loader_image img;

	err_clear();
	CHECK(loader_load(l, "-kernel", tmp("missing"), RAM, true, &img) == -ENOENT, "missing");
	CHECK(msg_has("-kernel ") && msg_has("missing: No such file or directory"), "msg: %s",
	      err_msg());
	CHECK(loader_load(l, "-kernel", write_elf("x86.elf", ELFCLASS64, EM_X86_64, RAM, 16, 16), 0,
			  true, &img) < 0,
	      "x86-64 ELF accepted");
	CHECK(msg_has("x86-64") && msg_has("not RISC-V"), "msg: %s", err_msg());
	CHECK(loader_load(l, "-bios", write_elf("e32.elf", ELFCLASS32, EM_RISCV, RAM, 16, 16), 0,
			  true, &img) < 0,
	      "ELF32 accepted");
	CHECK(msg_has("-bios ") && msg_has("32-bit"), "msg: %s", err_msg());
	CHECK(loader_load(l, "-kernel", write_raw("big.bin", RAMSZ + 1), RAM, true, &img) == -EFBIG,
	      "too big");
	CHECK(msg_has("big.bin") && msg_has("does not fit in RAM"), "msg: %s", err_msg());
	CHECK(loader_load(l, "-kernel",
			  write_elf("dev.elf", ELFCLASS64, EM_RISCV, 0x10000000, 16, 16), 0, true,
			  &img) < 0,
	      "image over the UART accepted");
	CHECK(msg_has("overlaps the uart0"), "msg: %s", err_msg());
	CHECK(loader_load(l, "-kernel",
			  write_elf("bss.elf", ELFCLASS64, EM_RISCV, RAM + RAMSZ - 16, 16, 32), 0,
			  true, &img) < 0,
	      "bss past the end of RAM accepted");
	CHECK(loader_load(l, "-kernel", write_raw("empty.bin", 0), RAM, true, &img) < 0, "empty");
	CHECK(msg_has("empty"), "msg: %s", err_msg());
	CHECK(loader_load(l, "-kernel", dir, RAM, true, &img) < 0, "directory accepted");
	loader_free(l);
	bus_free(b);
	return 0;
}

static int overlap(void)
{
	struct bus *b = mkbus();
	struct loader *l = loader_new(b);
	struct loader_image img;

	CHECK(loader_load(l, "-bios", write_raw("fw.bin", 0x3000), RAM, true, &img) == 0, "fw");
	CHECK(!img.elf && img.entry == RAM && img.hi == RAM + 0x3000, "raw extent");
	CHECK(*bus_ram_ptr(b, RAM + 0x2fff, 1) == (uint8_t)0x2fff, "raw bytes");
	CHECK(loader_load(l, "-kernel", write_raw("k.bin", 0x100), RAM + 0x2f00, true, &img) ==
		  -EEXIST,
	      "overlap accepted");
	CHECK(msg_has("k.bin") && msg_has("overlaps -bios") && msg_has("fw.bin"), "msg: %s",
	      err_msg());
	CHECK(loader_reserve(l, "device tree", RAM + 0x1000, 0x10) < 0, "reserve over fw");
	CHECK(msg_has("device tree: "), "msg: %s", err_msg());
	CHECK(loader_reserve(l, "device tree", RAM + 0x3000, 0x10) == 0, "reserve after fw");
	/* raw files are never taken as ELF when ELF is not allowed (initrd) */
	CHECK(loader_load(l, "-initrd", write_elf("rd.elf", ELFCLASS64, EM_RISCV, RAM, 16, 16),
			  RAM + 0x10000, false, &img) == 0 &&
		  !img.elf && img.lo == RAM + 0x10000,
	      "initrd raw: %s", err_msg());
	loader_free(l);
	bus_free(b);
	return 0;
}

int main(void)
{
	int fails = 0;
	char cmd[300];

	if (!mkdtemp(dir)) {
		printf("FAIL setup: mkdtemp\n");
		return 1;
	}
	fails += RUN(elf_ok);
	fails += RUN(errors);
	fails += RUN(overlap);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fails++;
	return fails != 0;
}

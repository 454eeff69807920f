/* strata's klib malloc (abstract-machine ships a stub; scripts/am/build drops it in favour of
 * this file): a bump allocator over AM's heap, free() keeps nothing, as in many PA solutions. */
#include <am.h>
#include <klib.h>

#if !defined(__ISA_NATIVE__) || defined(__NATIVE_USE_KLIB__)

static char *brk;

void *malloc(size_t size) {
  if (!brk) brk = heap.start;
  size = (size + 7) & ~(size_t)7;
  if (size > (size_t)((char *)heap.end - brk)) return NULL;
  void *p = brk;
  brk += size;
  return p;
}

#endif

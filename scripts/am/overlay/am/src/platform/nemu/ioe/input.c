/* strata's AM keyboard for NEMU's i8042 data port (abstract-machine ships a stub;
 * scripts/am/build puts this file in its place). */
#include <am.h>
#include <nemu.h>

#define KEYDOWN_MASK 0x8000

void __am_input_keybrd(AM_INPUT_KEYBRD_T *kbd) {
  uint32_t k = inl(KBD_ADDR);
  kbd->keydown = (k & KEYDOWN_MASK) != 0;
  kbd->keycode = k & ~KEYDOWN_MASK;
}

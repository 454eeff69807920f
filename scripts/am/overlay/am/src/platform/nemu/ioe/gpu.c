/* strata's AM GPU for NEMU's VGA (abstract-machine ships a stub; scripts/am/build puts this
 * file in its place): the size from VGACTL, pixels straight into the frame buffer. */
#include <am.h>
#include <nemu.h>

#define SYNC_ADDR (VGACTL_ADDR + 4)

void __am_gpu_init() {
}

void __am_gpu_config(AM_GPU_CONFIG_T *cfg) {
  uint32_t wh = inl(VGACTL_ADDR);
  *cfg = (AM_GPU_CONFIG_T) {
    .present = true, .has_accel = false,
    .width = wh >> 16, .height = wh & 0xffff,
    .vmemsz = (wh >> 16) * (wh & 0xffff) * 4
  };
}

void __am_gpu_fbdraw(AM_GPU_FBDRAW_T *ctl) {
  int w = inl(VGACTL_ADDR) >> 16;
  uint32_t *fb = (uint32_t *)(uintptr_t)FB_ADDR;
  uint32_t *px = ctl->pixels;
  for (int j = 0; j < ctl->h; j++)
    for (int i = 0; i < ctl->w; i++)
      fb[(ctl->y + j) * w + ctl->x + i] = px[j * ctl->w + i];
  if (ctl->sync) {
    outl(SYNC_ADDR, 1);
  }
}

void __am_gpu_status(AM_GPU_STATUS_T *status) {
  status->ready = true;
}

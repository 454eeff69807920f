/* Constants shared by start.S and guest.h. */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H
#define FRAME_SIZE   (32 * 8)
#define ECALL_RETURN 0x5245 /* a7 value: lower mode is done, a0 = result */
#endif

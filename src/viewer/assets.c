/* assets — the viewer page (app.html, app.css, app.js in this directory), embedded at build
 * time with the assembler's .incbin (paths are relative to the repository root, where make
 * runs; the Makefile makes this object depend on them). Each ends with a NUL byte. */
#include "viewer/viewer.h"

#define EMBED(sym, file)                                                                           \
	__asm__(".section .rodata\n"                                                               \
		".global " #sym "\n"                                                               \
		".type " #sym ", @object\n"                                                        \
		".balign 16\n" #sym ":\n"                                                          \
		".incbin \"" file "\"\n"                                                           \
		".byte 0\n"                                                                        \
		".previous\n")

EMBED(vw_app_html, "src/viewer/app.html");
EMBED(vw_app_css, "src/viewer/app.css");
EMBED(vw_app_js, "src/viewer/app.js");

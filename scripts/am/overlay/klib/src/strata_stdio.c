/* strata's klib printf family (abstract-machine ships stubs; scripts/am/build drops the stubs
 * in favour of this file). Flags '-' and '0', width and precision (also '*'), length h/hh/l/ll/z, and the
 * conversions d i u x X o p c s %. No floating point: AM programs print none on riscv. */
#include <am.h>
#include <klib.h>
#include <klib-macros.h>
#include <stdarg.h>

#if !defined(__ISA_NATIVE__) || defined(__NATIVE_USE_KLIB__)

struct out {
  char *buf;   /* NULL: putch */
  size_t size; /* room in buf including the terminating NUL */
  size_t n;    /* characters produced so far */
};

static void emit(struct out *o, char c) {
  if (!o->buf) putch(c);
  else if (o->n + 1 < o->size) o->buf[o->n] = c;
  o->n++;
}

static void pad(struct out *o, char c, int n) {
  while (n-- > 0) emit(o, c);
}

static int format(struct out *o, const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') { emit(o, *fmt); continue; }
    fmt++;
    int left = 0, zero = 0, width = 0, prec = -1, lng = 0;
    for (;; fmt++) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '0') zero = 1;
      else if (*fmt == '+' || *fmt == ' ' || *fmt == '#') ;
      else break;
    }
    if (*fmt == '*') { width = va_arg(ap, int); fmt++; }
    else while (*fmt >= '0' && *fmt <= '9') width = width * 10 + *fmt++ - '0';
    if (*fmt == '.') {
      fmt++; prec = 0;
      if (*fmt == '*') { prec = va_arg(ap, int); fmt++; }
      else while (*fmt >= '0' && *fmt <= '9') prec = prec * 10 + *fmt++ - '0';
    }
    for (;; fmt++) {
      if (*fmt == 'l') lng++;
      else if (*fmt == 'z') lng = 1;
      else if (*fmt == 'h') ;
      else break;
    }
    char tmp[32];
    int len = 0, neg = 0;
    unsigned long long v = 0;
    unsigned base = 10;
    const char *digits = "0123456789abcdef";
    switch (*fmt) {
    case 'c':
      pad(o, ' ', left ? 0 : width - 1);
      emit(o, (char)va_arg(ap, int));
      pad(o, ' ', left ? width - 1 : 0);
      continue;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s) s = "(null)";
      int n = 0;
      while (s[n] && (prec < 0 || n < prec)) n++;
      pad(o, ' ', left ? 0 : width - n);
      for (int i = 0; i < n; i++) emit(o, s[i]);
      pad(o, ' ', left ? width - n : 0);
      continue;
    }
    case '%':
      emit(o, '%');
      continue;
    case 'd': case 'i': {
      long long s = lng >= 2 ? va_arg(ap, long long) : lng ? va_arg(ap, long) : va_arg(ap, int);
      neg = s < 0;
      v = neg ? -(unsigned long long)s : (unsigned long long)s;
      break;
    }
    case 'p':
      v = (uintptr_t)va_arg(ap, void *);
      base = 16;
      emit(o, '0'); emit(o, 'x');
      width -= 2;
      break;
    case 'X': digits = "0123456789ABCDEF"; /* fall through */
    case 'x': case 'o': case 'u':
      base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
      v = lng >= 2 ? va_arg(ap, unsigned long long) : lng ? va_arg(ap, unsigned long)
                                                         : va_arg(ap, unsigned int);
      break;
    default: /* unknown conversion: print it as written */
      emit(o, '%');
      if (!*fmt) return (int)o->n;
      emit(o, *fmt);
      continue;
    }
    do { tmp[len++] = digits[v % base]; v /= base; } while (v);
    while (len < prec) tmp[len++] = '0';
    int total = len + neg;
    if (!left && zero && prec < 0) {
      if (neg) emit(o, '-');
      pad(o, '0', width - total);
    } else {
      if (!left) pad(o, ' ', width - total);
      if (neg) emit(o, '-');
    }
    while (len) emit(o, tmp[--len]);
    if (left) pad(o, ' ', width - total);
  }
  return (int)o->n;
}

int vprintf(const char *fmt, va_list ap) {
  struct out o = {NULL, 0, 0};
  return format(&o, fmt, ap);
}

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

int vsnprintf(char *out, size_t n, const char *fmt, va_list ap) {
  struct out o = {out, n, 0};
  int r = format(&o, fmt, ap);
  if (n) out[o.n < n ? o.n : n - 1] = '\0';
  return r;
}

int vsprintf(char *out, const char *fmt, va_list ap) {
  return vsnprintf(out, (size_t)-1 / 2, fmt, ap);
}

int sprintf(char *out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsprintf(out, fmt, ap);
  va_end(ap);
  return n;
}

int snprintf(char *out, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(out, n, fmt, ap);
  va_end(ap);
  return r;
}

#endif

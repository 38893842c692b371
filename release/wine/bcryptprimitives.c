/* For CI only, never shipped: Debian's Wine lacks bcryptprimitives.dll, whose ProcessPrng the
 * Rust standard library (1.78 and later) takes its random numbers from on Windows; every
 * Windows 10 and 11 has it. This stand-in answers from RtlGenRandom (advapi32's
 * SystemFunction036), so that the Windows binary can be run under Wine on a sample. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}

// A shared library whose allocations a GPUSCATTER_SITES rule names
// (libsiterule.so:testlib::alloc), beside a function no rule names.
#include <cstdlib>
#include <cstring>

namespace testlib {
__attribute__((noinline)) char *alloc_buf(size_t n)
{
  char *p = static_cast<char *>(malloc(n));
  if (p)
    memset(p, 1, 64); // no tail call: this frame stays on the stack
  return p;
}
__attribute__((noinline)) char *other_buf(size_t n)
{
  char *p = static_cast<char *>(malloc(n));
  if (p)
    memset(p, 2, 64);
  return p;
}
} // namespace testlib

extern "C" char *siterule_alloc(size_t n) { return testlib::alloc_buf(n); }
extern "C" char *siterule_other(size_t n) { return testlib::other_buf(n); }

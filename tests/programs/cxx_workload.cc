// C++ under the library: new/delete in every form, containers, exceptions.
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

struct alignas(256) Wide { char b[300]; };

int main()
{
  std::vector<std::string> v;
  for (int i = 0; i < 100000; i++)
    v.push_back(std::to_string(i * 7919));
  std::map<std::string, int> m;
  for (auto &s : v)
    m[s]++;
  uint64_t h = 0;
  for (auto &kv : m)
    h = h * 31 + kv.first.size() + (uint64_t)kv.second;
  auto w = std::make_unique<Wide[]>(10);
  bool wide_ok = ((uintptr_t)w.get() % 256) == 0;
  int *arr = new int[1 << 20]();
  arr[12345] = 7;
  delete[] arr;
  auto *nt = new (std::nothrow) char[1 << 20];
  delete[] nt;
  bool threw = false;
  try {
    void *huge = ::operator new((size_t)1 << 62);
    ::operator delete(huge);
  } catch (const std::bad_alloc &) {
    threw = true;
  }
  char *none = new (std::nothrow) char[(size_t)1 << 62];
  std::printf("entries=%zu hash=%llu wide=%d threw=%d nothrow_null=%d\n", m.size(),
              (unsigned long long)h, wide_ok, threw, none == nullptr);
  return 0;
}

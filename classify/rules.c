/* Rules for call-site classification. */
#include "rules.h"
#include "modules.h"
#include "../config/config.h"
#include "../config/log.h"

#include <string.h>

enum { MAX_RULES = 32 };

static struct rule { char module[64]; char prefix[128]; } rules[MAX_RULES];
static int nrules;

/* PyTorch's CPU allocator: every CPU tensor's storage comes from
 * c10::alloc_cpu (posix_memalign with 64-byte alignment). */
static const char *const presets[] = {
  [CFG_PRESET_NONE] = "", [CFG_PRESET_TORCH] = "libc10.so:c10::alloc_cpu",
};

bool rules_module_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '-' || c == '+';
}

static bool symbol_char(char c) { return rules_module_char(c) || c == ':' || c == '~'; }

/* Append the rules in spec; false on a malformed one. */
static bool parse(const char *spec)
{
  const char *s = spec;
  while (*s) {
    if (*s == ',') {
      s++;
      continue;
    }
    struct rule r = { "", "" };
    size_t n = 0;
    while (rules_module_char(*s) && n + 1 < sizeof r.module)
      r.module[n++] = *s++;
    r.module[n] = '\0';
    if (n == 0 || nrules == MAX_RULES)
      return false;
    if (*s == ':') {
      s++;
      n = 0;
      while (symbol_char(*s) && n + 1 < sizeof r.prefix)
        r.prefix[n++] = *s++;
      r.prefix[n] = '\0';
      if (n == 0)
        return false;
    }
    if (*s != ',' && *s != '\0')
      return false; /* a bad character, or a name too long */
    rules[nrules++] = r;
  }
  return true;
}

int rules_init(const char *spec, int preset)
{
  nrules = 0;
  if (!parse(spec)) {
    log_warn("GPUSCATTER_SITES='%.60s' is not a list of module[:symbol-prefix] (at most %d, "
             "e.g. libc10.so:c10::alloc_cpu); using none", spec, MAX_RULES);
    nrules = 0;
  }
  if (preset > 0 && preset < (int)(sizeof presets / sizeof presets[0]))
    parse(presets[preset]);
  return nrules;
}

void rules_qualified(const char *s, char *out, size_t len)
{
  size_t o = 0;
  out[0] = '\0';
  if (s == NULL || len == 0)
    return;
  if (strncmp(s, "_Z", 2) != 0) {
    while (*s && o + 1 < len)
      out[o++] = *s++;
    out[o] = '\0';
    return;
  }
  s += 2;
  bool nested = *s == 'N';
  if (nested)
    for (s++; *s == 'K' || *s == 'V' || *s == 'r' || *s == 'R' || *s == 'O'; s++)
      ;
  bool first = true;
  if (s[0] == 'S' && s[1] == 't') { /* std:: */
    memcpy(out, "std", 4);
    o = 3;
    first = false;
    s += 2;
  }
  while (*s >= '0' && *s <= '9') {
    size_t n = 0;
    while (*s >= '0' && *s <= '9' && n < 4096)
      n = n * 10 + (size_t)(*s++ - '0');
    if (strnlen(s, n) < n || o + n + 3 >= len)
      break;
    if (!first) {
      out[o++] = ':';
      out[o++] = ':';
    }
    memcpy(out + o, s, n);
    o += n;
    s += n;
    first = false;
    if (!nested)
      break;
  }
  out[o] = '\0';
}

bool rules_match(const char *module, const char *sname)
{
  char q[256];
  bool have_q = false;
  for (int i = 0; i < nrules; i++) {
    if (strcmp(rules[i].module, module) != 0)
      continue;
    if (rules[i].prefix[0] == '\0')
      return true;
    if (!have_q) {
      rules_qualified(sname, q, sizeof q);
      have_q = true;
    }
    if (strncmp(q, rules[i].prefix, strlen(rules[i].prefix)) == 0)
      return true;
  }
  return false;
}

bool rules_match_pc(const char *module, uintptr_t pc)
{
  for (int i = 0; i < nrules; i++) {
    if (strcmp(rules[i].module, module) != 0)
      continue;
    if (rules[i].prefix[0] == '\0' || modules_in_symbol(pc, rules[i].prefix))
      return true;
  }
  return false;
}

/* Site rules (GPUSCATTER_SITES, GPUSCATTER_PRESET): an allocation with a
 * frame in a named module, optionally in a function whose qualified name
 * starts with a prefix, is GPU-bound. */
#ifndef GPUSCATTER_RULES_H
#define GPUSCATTER_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse the rules once, at load. A malformed list gets one warning naming
 * the variable and is ignored whole. Returns how many rules are in force. */
int rules_init(const char *spec, int preset);

/* Characters a module file name may have, in a rule or a profile. */
bool rules_module_char(char c);

/* Whether a frame in module (a file name, no directory) inside the symbol
 * sname (as the dynamic symbol table has it, mangled or not; may be NULL)
 * matches a rule. */
bool rules_match(const char *module, const char *sname);

/* Whether code at pc, in the module of that file name, matches a rule:
 * the module, and a function with the rule's qualified-name prefix when it
 * has one (looked up without the loader's lock). */
bool rules_match_pc(const char *module, uintptr_t pc);

/* The qualified name of a symbol, "ns::f" for _ZN2ns1fEv; other names as
 * they are. Parameters and templates are not demangled: rules name
 * functions, not overloads. */
void rules_qualified(const char *sname, char *out, size_t len);

#endif

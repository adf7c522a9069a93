/* The HIP runtime's calls gpuscatter answers. */
#include "exports.h"

FLAVOR_EXPORTS(hip, FLAVOR_HIP)

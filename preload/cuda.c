/* The CUDA runtime's calls gpuscatter answers. */
#include "exports.h"

FLAVOR_EXPORTS(cuda, FLAVOR_CUDA)

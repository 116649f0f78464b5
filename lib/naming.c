/* naming.c: placeholder, being written. */
#include "naming.h"

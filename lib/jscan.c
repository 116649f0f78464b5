/* jscan.c: placeholder, being written. */
#include "jscan.h"

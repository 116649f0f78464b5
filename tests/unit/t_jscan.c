/* Unit tests of lib/jscan.c: placeholder, being written. */
#include "t.h"

void
t_jscan(void)
{
}

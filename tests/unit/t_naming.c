/* Unit tests of lib/naming.c: placeholder, being written. */
#include "t.h"

void
t_naming(void)
{
}

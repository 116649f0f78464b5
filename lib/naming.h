/* naming.h: placeholder, being written. */
#ifndef FD_NAMING_H
#define FD_NAMING_H
#endif

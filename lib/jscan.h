/* jscan.h: placeholder, being written. */
#ifndef FD_JSCAN_H
#define FD_JSCAN_H
#endif

/*
 * backends_libvirt.c - the backend of cagmad-libvirt: "libvirt"
 * (backend_libvirt.c: its own side, no xenstore, no Xen library).
 */
#include <stddef.h>

#include "backend.h"

const struct backend_entry backend_table[] = {
	{ "libvirt", backend_libvirt_open },
	{ NULL, NULL },
};

const char backend_names[] = "libvirt";
const char backend_program[] = "cagmad-libvirt";

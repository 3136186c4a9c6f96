/*
 * backend.c - backend lookup and backend_open(), over the program's
 * backend_table (backends_xen.c for cagmad, backends_libvirt.c for
 * cagmad-libvirt).
 */
#include <errno.h>
#include <string.h>

#include "backend.h"

/* Backends and the program that has each (for the error message). */
static const struct {
	const char *name;
	const char *program;
} backend_homes[] = {
	{ "xen", "cagmad" },
	{ "libvirt", "cagmad-libvirt" },
};

const char *
backend_default(void)
{
	return backend_table[0].name;
}

const char *
backend_other_program(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(backend_homes) / sizeof(backend_homes[0]); i++)
		if (strcmp(name, backend_homes[i].name) == 0 &&
		    strcmp(backend_program, backend_homes[i].program) != 0)
			return backend_homes[i].program;
	return NULL;
}

static const struct backend_entry *
backend_find(const char *name)
{
	size_t i;

	for (i = 0; backend_table[i].name != NULL; i++)
		if (strcmp(name, backend_table[i].name) == 0)
			return &backend_table[i];
	return NULL;
}

int
backend_check(const char *name)
{
	if (backend_find(name) != NULL)
		return 0;
	if (strcmp(name, "sim") == 0)
		return -EPERM;
	if (backend_other_program(name) != NULL)
		return -EXDEV;
	return -ENOENT;
}

int
backend_open(struct backend *be, const char *name, struct cagmad *c,
    const struct cagmad_cfg *cfg)
{
	const struct backend_entry *e = backend_find(name);

	if (e == NULL)
		return -ENOENT;
	memset(be, 0, sizeof(*be));
	be->c = c;
	be->cfg = cfg;
	return e->open(be);
}

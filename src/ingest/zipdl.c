/* zipdl.c -- libzip through dlopen (see zipdl.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ingest/zipdl.h"

static struct lw_zip_api api;
static bool api_ok;
static char api_error[256];
static pthread_once_t api_once = PTHREAD_ONCE_INIT;

/* libzip's soname on Debian 12 (libzip4), then the development link. */
static const char *const sonames[] = {"libzip.so.4", "libzip.so"};

static bool sym(void *h, const char *name, void *member, size_t size)
{
    void *p = dlsym(h, name);

    if (!p) {
        snprintf(api_error, sizeof(api_error), "libzip has no %s", name);
        return false;
    }
    /* A data pointer to a function pointer: POSIX guarantees the sizes. */
    memcpy(member, &p, size);
    return true;
}

static void load(void)
{
    void *h = NULL;
    size_t i;

    for (i = 0; !h && i < sizeof(sonames) / sizeof(sonames[0]); i++)
        h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(api_error, sizeof(api_error), "%s", e ? e : "libzip.so.4 not found");
        return;
    }
#define SYM(name) sym(h, "zip_" #name, &api.name, sizeof(api.name))
    api_ok = SYM(discard) && SYM(error_code_zip) && SYM(error_fini) && SYM(error_init) &&
             SYM(error_init_with_code) && SYM(error_strerror) && SYM(fclose) && SYM(fdopen) &&
             SYM(file_strerror) && SYM(fopen_index) && SYM(fread) && SYM(get_name) &&
             SYM(get_num_entries) && SYM(name_locate) && SYM(open) && SYM(open_from_source) &&
             SYM(source_buffer_create) && SYM(source_free) && SYM(strerror);
#undef SYM
    /* The handle stays open: the functions are used until exit. */
}

const struct lw_zip_api *lw_zip(struct lw_diag *diag)
{
    pthread_once(&api_once, load);
    if (api_ok)
        return &api;
    lw_diag_set(diag, "cannot load libzip to read ZIP archives: %s", api_error);
    return NULL;
}

/* zipdl.h -- libzip, loaded the first time a ZIP is opened.
 *
 * libzip brings libcrypto and libbz2 with it. Linked at build time, the
 * three cost every run of lurewatch about 2.5 ms of start-up, a tenth of
 * an empty run, though most runs never see a ZIP (docs/performance.md).
 * So lurewatch does not link libzip: the readers call it through this
 * table, which dlopen fills on first use. zip.h stays the contract: every
 * member has the type of the libzip function of the same name. */
#ifndef LW_ZIPDL_H
#define LW_ZIPDL_H

#include <zip.h>

#include "base/err.h"

#define LW_ZIP_FN(name) __typeof__(zip_##name) *name

struct lw_zip_api {
    LW_ZIP_FN(discard);
    LW_ZIP_FN(error_code_zip);
    LW_ZIP_FN(error_fini);
    LW_ZIP_FN(error_init);
    LW_ZIP_FN(error_init_with_code);
    LW_ZIP_FN(error_strerror);
    LW_ZIP_FN(fclose);
    LW_ZIP_FN(fdopen);
    LW_ZIP_FN(file_strerror);
    LW_ZIP_FN(fopen_index);
    LW_ZIP_FN(fread);
    LW_ZIP_FN(get_name);
    LW_ZIP_FN(get_num_entries);
    LW_ZIP_FN(name_locate);
    LW_ZIP_FN(open);
    LW_ZIP_FN(open_from_source);
    LW_ZIP_FN(source_buffer_create);
    LW_ZIP_FN(source_free);
    LW_ZIP_FN(strerror);
};

#undef LW_ZIP_FN

/* The table, libzip loaded on the first call; NULL, with diag set (it may
 * be NULL), when libzip cannot be loaded. Thread-safe. */
const struct lw_zip_api *lw_zip(struct lw_diag *diag);

#endif

/* fuzz_zip.c -- libFuzzer target: lw_reader_open_mem with LW_FORMAT_LINKEDIN_ZIP on
 * arbitrary bytes, drained (see fuzz_reader.h for the checks; a ZIP inflates, so no bound on the
 * count). */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    return fuzz_reader_run(data, size, LW_FORMAT_LINKEDIN_ZIP, (size_t)-1);
}

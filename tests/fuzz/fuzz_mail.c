/* fuzz_mail.c -- libFuzzer target: lw_reader_open_mem with LW_FORMAT_EML on
 * arbitrary bytes, drained (see fuzz_reader.h for the checks; each result consumes input). */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    return fuzz_reader_run(data, size, LW_FORMAT_EML, size + 2);
}

/* fuzz_csv_messages.c -- libFuzzer target: lw_reader_open_mem with LW_FORMAT_LINKEDIN_MESSAGES on
 * arbitrary bytes, drained (see fuzz_reader.h for the checks; each result consumes input). */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    return fuzz_reader_run(data, size, LW_FORMAT_LINKEDIN_MESSAGES, size + 2);
}

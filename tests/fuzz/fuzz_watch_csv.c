/* fuzz_watch_csv.c -- libFuzzer target for importing a watchlist as CSV
 * (src/share/share.h), with the export round trip checked (fuzz_share.h). */
#include "fuzz_share.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    fuzz_share_one(LW_SHARE_CSV, data, size);
    return 0;
}

/* reader_int.h -- private to the readers (src/ingest/reader*.c, read_*.c).
 *
 * A struct lw_reader is a format's state behind a small ops table, plus the
 * source name and the limits. Most formats read bytes through a struct
 * lw_reader_in: a file descriptor, borrowed bytes in memory, or an entry of a
 * ZIP archive, with the first bytes kept aside so they can be sniffed before
 * the format reads them. The folder, Maildir and ZIP readers open one child
 * reader at a time and pass its messages on.
 *
 * Ownership: a reader owns its input, its state and its child; it owns no
 * message it has returned. Every function here follows err.h's contract. */
#ifndef LW_READER_INT_H
#define LW_READER_INT_H

#include <stdio.h>

#include "base/err.h"
#include "ingest/reader.h"

/* Bytes kept aside for sniffing (and for the CSV Notes: preamble check). */
#define LW_READER_PEEK 8192
/* Chunk size for streaming reads. */
#define LW_READER_CHUNK 65536
/* Recipients kept per message; more are dropped. */
#define LW_READER_MAX_TO 1024
/* Folder nesting followed by the folder walk. */
#define LW_READER_MAX_DEPTH 64
/* E-mail: GMime holds every header (message and MIME part headers) in
 * memory, at about 600 bytes a header line, and every part it finds; bodies
 * stay in the file. Each message is scanned first and skipped (LW_ELIMIT)
 * when its header blocks pass these caps (bytes also capped by max_record),
 * or when it has more than 4 * max_mime_parts + 16 boundary-like lines. */
#define LW_READER_MAX_HEADER_BYTES ((size_t)1 << 20)
#define LW_READER_MAX_HEADER_LINES 16384

/* ---- byte input ---------------------------------------------------------- */

enum lw_reader_in_kind {
    LW_READER_IN_FD,  /* a file or stdin */
    LW_READER_IN_MEM, /* borrowed bytes */
    LW_READER_IN_ZIP, /* an entry of a ZIP archive (a zip_file_t) */
};

struct lw_reader_in {
    enum lw_reader_in_kind kind;
    int fd; /* IN_FD: owned unless it is stdin */
    bool own_fd;
    bool regular;             /* IN_FD: a regular file (seekable) */
    bool eof;                 /* IN_FD, regular: a read came back short, so none is left */
    bool sized;               /* IN_FD, regular: size is known (lw_reader_in_size) */
    uint64_t size;            /* IN_FD, regular: the file's size (0 until sized) */
    const unsigned char *mem; /* IN_MEM */
    size_t mem_len, mem_pos;
    void *zf;            /* IN_ZIP: zip_file_t, owned */
    unsigned char *peek; /* IN_FD/IN_ZIP: bytes read ahead, served first */
    size_t peek_len, peek_pos;
    bool peeked;
    uint64_t bytes; /* bytes handed to the reader so far */
};

/* Open a path ("-" is stdin) for reading. LW_ENOTFOUND or LW_EIO with diag.
 * A caller that knows the path is a regular file (a folder walk's d_type)
 * says so in is_file: no fstat is needed then, and the size is learnt on
 * demand (lw_reader_in_size). */
LW_NODISCARD int lw_reader_in_open_path(const char *path, bool is_file, struct lw_reader_in **out,
                                        struct lw_diag *diag);
/* The same for name relative to the folder open as dirfd (or AT_FDCWD);
 * path is the whole name, for diagnostics. A folder walk opens its files
 * this way: the kernel then looks up one name, not every folder above it. */
LW_NODISCARD int lw_reader_in_open_at(int dirfd, const char *name, const char *path, bool is_file,
                                      struct lw_reader_in **out, struct lw_diag *diag);
/* The size of a regular file (0 for anything else, or an empty file). A
 * file read to its end within the peek needs no system call to learn it. */
uint64_t lw_reader_in_size(struct lw_reader_in *in);
LW_NODISCARD int lw_reader_in_open_mem(const void *buf, size_t len, struct lw_reader_in **out);
/* Take a zip_file_t (closed by lw_reader_in_free). */
LW_NODISCARD int lw_reader_in_open_zip(void *zf, struct lw_reader_in **out);
void lw_reader_in_free(struct lw_reader_in *in);

/* The first bytes (up to LW_READER_PEEK) without consuming them. Only valid
 * before the first lw_reader_in_read. */
LW_NODISCARD int lw_reader_in_peek(struct lw_reader_in *in, const unsigned char **p, size_t *n);
/* Read up to n bytes; *got == 0 means the end. LW_EIO on a read error. */
LW_NODISCARD int lw_reader_in_read(struct lw_reader_in *in, void *buf, size_t n, size_t *got);
/* A new descriptor holding the whole input from its first byte, positioned
 * at 0 and seekable: a dup of a regular file, or a temporary file the input
 * is spooled into (stdin, ZIP entries, memory). The caller closes it.
 * Used where a library needs to seek (GMime, libzip). */
LW_NODISCARD int lw_reader_in_to_fd(struct lw_reader_in *in, int *fd, struct lw_diag *diag);

/* ---- the reader ------------------------------------------------------------ */

struct lw_reader_ops {
    /* Same contract as lw_reader_next. */
    int (*next)(struct lw_reader *r, struct lw_msg **out, struct lw_diag *diag);
    /* Bytes read so far, when the input is not r->in (NULL: r->in->bytes). */
    uint64_t (*bytes)(const struct lw_reader *r);
    void (*free)(struct lw_reader *r);
};

struct lw_reader {
    enum lw_format fmt;
    struct lw_limits lim;
    char *source;            /* name in ids and diagnostics */
    char *path;              /* the file system path, when there is one */
    struct lw_reader_in *in; /* NULL for folders */
    const struct lw_reader_ops *ops;
    void *st; /* the format's state */
    bool done;
    bool defer; /* e-mail: hand raw bytes on, parse in lw_msg_complete */
};

/* Sniffing hints for a folder walk: files that hold no messages. */
enum lw_reader_sniff_hints {
    LW_READER_SNIFF_BINARY = 1 << 0,      /* a NUL byte in the first bytes */
    LW_READER_SNIFF_CSV_UNKNOWN = 1 << 1, /* a .csv that is not a LinkedIn message file */
};

/* Guess the format of a file from its name (may be NULL) and first bytes. */
enum lw_format lw_reader_sniff(const char *path, const unsigned char *p, size_t n, unsigned *hints);
/* True when the folder has a cur/ or new/ subfolder. */
bool lw_reader_is_maildir(const char *dir);

/* Open flags for child readers. */
enum lw_reader_open_flags {
    LW_READER_OPEN_WALK = 1 << 0, /* in a folder walk: skip files with no messages */
    LW_READER_OPEN_FILE = 1 << 1, /* the caller knows the path is no folder (a walk's lstat) */
};

/* lw_reader_open with flags; with LW_READER_OPEN_WALK, a file to skip gives
 * LW_OK and *out == NULL. */
LW_NODISCARD int lw_reader_open_path(const char *path, enum lw_format fmt,
                                     const struct lw_limits *lim, unsigned flags,
                                     struct lw_reader **out, struct lw_diag *diag);
/* lw_reader_open_path for a file (flags has LW_READER_OPEN_FILE) opened as
 * name relative to the folder open as dirfd; path is its whole name. */
LW_NODISCARD int lw_reader_open_at(int dirfd, const char *name, const char *path,
                                   enum lw_format fmt, const struct lw_limits *lim, unsigned flags,
                                   struct lw_reader **out, struct lw_diag *diag);
/* A reader over an input it takes (freed on failure too); fmt must not be
 * AUTO, DIR or MAILDIR. */
LW_NODISCARD int lw_reader_open_in(struct lw_reader_in *in, const char *source, enum lw_format fmt,
                                   const struct lw_limits *lim, struct lw_reader **out,
                                   struct lw_diag *diag);

/* The next message of a container's current child reader (a file of a
 * folder, an entry of a ZIP). Returns what the container's next should
 * return -- 1, LW_EPARSE, LW_ELIMIT or LW_ENOMEM -- or 0 when the child is
 * done: then it has been freed, *child is NULL, its bytes were added to
 * *bytes_done, and the container opens its next child. A child that failed
 * otherwise is reported as LW_EPARSE (diag names it) so the walk goes on. */
LW_NODISCARD int lw_reader_child_next(struct lw_reader **child, uint64_t *bytes_done,
                                      struct lw_msg **out, struct lw_diag *diag);

/* Per-format set-up: fill r->ops and r->st. r->in is set except for the
 * folder readers. */
LW_NODISCARD int lw_reader_init_text(struct lw_reader *r, struct lw_diag *diag);
LW_NODISCARD int lw_reader_init_jsonl(struct lw_reader *r, struct lw_diag *diag);
LW_NODISCARD int lw_reader_init_mail(struct lw_reader *r, struct lw_diag *diag);
LW_NODISCARD int lw_reader_init_csv(struct lw_reader *r, struct lw_diag *diag);
LW_NODISCARD int lw_reader_init_zip(struct lw_reader *r, struct lw_diag *diag);
LW_NODISCARD int lw_reader_init_dir(struct lw_reader *r, struct lw_diag *diag);

/* ---- helpers for the formats -------------------------------------------- */

/* A new message with source, line and the fallback id "<source>:<n>". */
LW_NODISCARD int lw_reader_msg_new(const struct lw_reader *r, unsigned long line, unsigned long n,
                                   struct lw_msg **out);
/* Point diag at the reader's source and line, with a message. */
void lw_reader_diag(const struct lw_reader *r, struct lw_diag *diag, unsigned long line,
                    const char *fmt, ...) LW_PRINTF(4, 5);
/* ASCII case-insensitive comparison of n bytes against a NUL-terminated word. */
bool lw_reader_eq_ci(const char *p, size_t n, const char *word);
/* True when s ends with suffix, ASCII case-insensitively. */
bool lw_reader_ends_ci(const char *s, const char *suffix);

#endif

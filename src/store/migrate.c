/* migrate.c -- the schema migrations of every store dialect (migrate.h).
 * Tables hold watchlist entries and store metadata only: never message
 * bodies (docs/privacy.md). */
#include "store/migrate.h"

static const struct lw_migration sqlite_steps[] = {
    {1, "watchlist entries, aliases, links and store metadata",
     "CREATE TABLE meta (\n"
     "  key   TEXT PRIMARY KEY,\n"
     "  value TEXT NOT NULL\n"
     ");\n"
     "CREATE TABLE watch_entry (\n"
     "  id         INTEGER PRIMARY KEY,\n"
     "  type       TEXT NOT NULL CHECK (type IN ('persona', 'org', 'domain', 'email', 'url',\n"
     "                                           'phone', 'handle', 'template', 'impersonated')),\n"
     "  value      TEXT NOT NULL CHECK (value <> ''),\n"
     "  hanzi      TEXT,\n"
     "  platform   TEXT,\n"
     "  source     TEXT NOT NULL CHECK (source <> ''),\n"
     "  source_url TEXT,\n"
     "  date       TEXT NOT NULL,\n"
     "  confidence INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 100),\n"
     "  note       TEXT,\n"
     "  expires    TEXT,\n"
     "  created    TEXT NOT NULL,\n"
     "  UNIQUE (type, value COLLATE NOCASE, source)\n"
     ");\n"
     "CREATE INDEX watch_entry_by_type ON watch_entry (type);\n"
     "CREATE TABLE watch_alias (\n"
     "  entry_id INTEGER NOT NULL REFERENCES watch_entry (id) ON DELETE CASCADE,\n"
     "  pos      INTEGER NOT NULL,\n"
     "  alias    TEXT NOT NULL,\n"
     "  PRIMARY KEY (entry_id, pos)\n"
     ") WITHOUT ROWID;\n"
     "CREATE TABLE watch_link (\n"
     "  entry_id INTEGER NOT NULL REFERENCES watch_entry (id) ON DELETE CASCADE,\n"
     "  pos      INTEGER NOT NULL,\n"
     "  target   TEXT NOT NULL,\n"
     "  PRIMARY KEY (entry_id, pos)\n"
     ") WITHOUT ROWID;\n"},
};

const struct lw_migration *lw_migrate_steps(enum lw_migrate_dialect d, size_t *n)
{
    switch (d) {
    case LW_MIGRATE_SQLITE:
        *n = LW_ARRAY_LEN(sqlite_steps);
        return sqlite_steps;
    }
    *n = 0;
    return NULL;
}

int lw_migrate_latest(enum lw_migrate_dialect d)
{
    size_t n;
    const struct lw_migration *m = lw_migrate_steps(d, &n);

    return m && n ? m[n - 1].version : 0;
}

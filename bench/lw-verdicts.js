// lw-verdicts.js -- reads the JSONL that `lurewatch scan --format jsonl` printed for the
// SpamAssassin corpus and counts verdict levels, overall and per ham/spam label.
//
// A verdict's `id` is the message's Message-ID when it has one, else "<file>:<n>". To give each
// verdict its label we read every corpus file's header block, take its Message-ID (unfolded,
// angle brackets and case ignored) and map it to the folder the file sits in (ham/ or spam/);
// "<file>:<n>" ids are mapped by the file's path. Some spam carries malformed Message-IDs
// ("<123$456@C:\Documents and\n Settings...>") that a MIME parser cuts short, so an id that
// matches no Message-ID exactly is matched as the prefix of exactly one. Verdicts that map to
// nothing are counted as unmapped, ids shared by several files as ambiguous.
//
// Usage: node lw-verdicts.js VERDICTS.jsonl CORPUS_DIR
// Prints one JSON object: {lines, bad_lines, levels:{...}, by_label:{ham:{...}, spam:{...}},
// unmapped, ambiguous, flagged:{ham, spam}} where flagged counts medium + high.
'use strict';

const fs = require('fs');
const path = require('path');

const LEVELS = ['none', 'low', 'medium', 'high'];
const HEADER_CAP = 256 * 1024; // read at most this much of a file to find its header block

// "<id>" -> id (up to the last '>': a trailing "(added by ...)" comment is common and some
// spam nests brackets), else the text without comments; lower case.
function normId(s) {
    s = String(s).trim();
    if (s.startsWith('<')) {
        const end = s.lastIndexOf('>');
        s = s.slice(1, end > 0 ? end : s.length);
    } else {
        s = s.replace(/\([^)]*\)/g, '');
    }
    return s.trim().toLowerCase();
}

function messageId(file) {
    const fd = fs.openSync(file, 'r');
    let text;
    try {
        const buf = Buffer.alloc(HEADER_CAP);
        const n = fs.readSync(fd, buf, 0, HEADER_CAP, 0);
        text = buf.subarray(0, n).toString('latin1');
    } finally {
        fs.closeSync(fd);
    }
    const end = text.search(/\r?\n\r?\n/);
    const head = (end >= 0 ? text.slice(0, end) : text).replace(/\r?\n[ \t]+/g, ' ');
    const m = head.match(/^message-id:[ \t]*(.*)$/im);
    // "" for a header that is present but empty ("<>" included), null for none.
    return m ? normId(m[1]) : null;
}

function walk(dir, out) {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, ent.name);
        if (ent.isDirectory()) {
            walk(p, out);
        } else if (ent.isFile() && ent.name.endsWith('.eml')) {
            out.push(p);
        }
    }
    return out;
}

function emptyCounts() {
    const c = {};
    for (const l of LEVELS) {
        c[l] = 0;
    }
    c.other = 0;
    return c;
}

function main() {
    if (process.argv.length !== 4) {
        process.stderr.write('usage: node lw-verdicts.js VERDICTS.jsonl CORPUS_DIR\n');
        process.exit(2);
    }
    const corpus = path.resolve(process.argv[3]);
    const byMid = new Map();
    const byPath = new Map();
    for (const f of walk(corpus, [])) {
        const label = path.basename(path.dirname(f));
        byPath.set(path.relative(corpus, f), label);
        const mid = messageId(f);
        if (mid !== null) {
            byMid.set(mid, byMid.has(mid) && byMid.get(mid) !== label ? 'ambiguous' : label);
        }
    }

    const res = {
        lines: 0,
        bad_lines: 0,
        levels: emptyCounts(),
        by_label: { ham: emptyCounts(), spam: emptyCounts() },
        unmapped: 0,
        ambiguous: 0,
        flagged: { ham: 0, spam: 0 },
    };
    const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
    for (const line of lines) {
        if (!line.trim()) {
            continue;
        }
        res.lines++;
        let v;
        try {
            v = JSON.parse(line);
        } catch (e) {
            res.bad_lines++;
            continue;
        }
        const level = LEVELS.includes(v.level) ? v.level : 'other';
        res.levels[level]++;
        let label = null;
        if (typeof v.id === 'string') {
            const id = normId(v.id);
            label = byMid.get(id) || null;
            if (!label && id.length >= 8) {
                const hits = [];
                for (const [mid, l] of byMid) {
                    if (mid.startsWith(id)) {
                        hits.push(l);
                    }
                }
                label = hits.length === 1 ? hits[0] : hits.length > 1 ? 'ambiguous' : null;
            }
            if (!label) {
                // "<file>:<n>": match the file part against the corpus paths.
                const file = v.id.replace(/:\d+$/, '');
                const rel = path.isAbsolute(file) ? path.relative(corpus, file) : file;
                for (const cand of [rel, rel.split(path.sep).slice(-2).join(path.sep)]) {
                    if (byPath.has(cand)) {
                        label = byPath.get(cand);
                        break;
                    }
                }
            }
        }
        if (label === 'ambiguous') {
            res.ambiguous++;
        } else if (label === 'ham' || label === 'spam') {
            res.by_label[label][level]++;
            if (level === 'medium' || level === 'high') {
                res.flagged[label]++;
            }
        } else {
            res.unmapped++;
        }
    }
    process.stdout.write(JSON.stringify(res) + '\n');
}

main();

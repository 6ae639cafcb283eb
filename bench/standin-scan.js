// standin-scan.js -- a STAND-IN for `lurewatch scan`, used only to test the benchmark's plumbing
// (timing, output parsing, id mapping) while the real command is not built. It is not a
// detector and its figures mean nothing: it walks a folder for .eml files and prints one JSON
// line per file, {"id": Message-ID or "<file>:1", "level": ...}, the level from a count of a few
// recruitment-lure words. Exit 1 if any line is medium or high, like the real command.
//
// Usage: node standin-scan.js scan --format jsonl [--threads N] PATH...
'use strict';

const fs = require('fs');
const path = require('path');

const WORDS = /\b(consult\w*|paid report|opportunit\w+|confidential|headhunt\w*|whatsapp|telegram)\b/gi;

function walk(p, out) {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
        for (const name of fs.readdirSync(p).sort()) {
            walk(path.join(p, name), out);
        }
    } else if (p.endsWith('.eml')) {
        out.push(p);
    }
    return out;
}

function main() {
    const args = process.argv.slice(2);
    if (args[0] !== 'scan') {
        process.stderr.write('standin-scan: only "scan" is supported\n');
        process.exit(2);
    }
    const paths = [];
    for (let i = 1; i < args.length; i++) {
        if (args[i] === '--format' || args[i] === '--threads') {
            i++;
        } else {
            paths.push(args[i]);
        }
    }
    let flagged = false;
    const out = [];
    for (const root of paths) {
        for (const f of walk(root, [])) {
            const text = fs.readFileSync(f, 'latin1');
            const head = text.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
            const m = head.match(/^message-id:[ \t]*(.*)$/im);
            const id = m && m[1].trim() ? m[1].trim() : f + ':1';
            const hits = (text.match(WORDS) || []).length;
            const level = hits >= 6 ? 'high' : hits >= 3 ? 'medium' : hits >= 1 ? 'low' : 'none';
            flagged = flagged || hits >= 3;
            out.push(JSON.stringify({ id, level }));
        }
    }
    process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
    process.exitCode = flagged ? 1 : 0;
}

main();

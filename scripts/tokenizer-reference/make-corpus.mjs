// Writes the hostile tokenizer corpus: tests/Attend.Tests/TestData/tokenizer/corpus.txt.
// One JSON string literal per line, so lone surrogates, control characters and invisible
// whitespace survive editors and git; `node make-corpus.mjs` is deterministic (seeded PRNG).
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const repo = join(import.meta.dirname, "..", "..");
const out = join(repo, "tests", "Attend.Tests", "TestData", "tokenizer", "corpus.txt");

let seed = 20261206;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const pick = (items) => items[Math.floor(random() * items.length)];
const cp = (...points) => String.fromCodePoint(...points);
const lines = [];
const add = (text) => lines.push(text);

// Real prose and code: the repository's own documentation, line by line (markdown, tables, code).
const docs = [join(repo, "README.md"), ...readdirSync(join(repo, "docs")).map((f) => join(repo, "docs", f))];
const docLines = docs.flatMap((f) => readFileSync(f, "utf8").split("\n")).map((l) => l.trimEnd()).filter((l) => l.length > 0);
for (const line of docLines.slice(0, 700)) add(line);

const sentences = [
  "The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium.",
  "A man is eating food.", "A man is riding a white horse on an enclosed ground.", "Two dogs play in the snow.",
  "Où est la bibliothèque ? Elle est fermée à cause de la grève.", "L'élève a reçu un « prix » très mérité.",
  "Straße, Größe, Übermaß und Ärger: schöne Grüße aus Köln.", "ẞ ist der große Buchstabe von ß.",
  "¿Dónde está el niño? ¡Qué año tan extraño!", "Tiếng Việt có nhiều dấu: được, người, những, Nguyễn.",
  "ΟΔΥΣΣΕΥΣ και ΣΙΣΥΦΟΣ. Ο Σωκράτης είπε: «ΓΝΩΘΙ ΣΑΥΤΟΝ».", "ΣΑΣ ΣΑΣ. ΌΣΟΣ! Σ ΑΣ'Σ ΑΣ-Σ ΑΣ.Σ ΑΣ:Β ΑΣ·Β", "ὈΔΥΣΣΕΎΣ ᾅδης ἄνθρωπος",
  "İstanbul'da ılık bir gün; IŞIK, İĞNE, ığdır.", "Москва — столица России. Ёлка и ЁЖИК.", "Київ, Україна: ґанок, їжак, єнот.",
  "مرحبا بالعالم، كيف حالك؟ السَّلَامُ عَلَيْكُمْ", "שָׁלוֹם עֲלֵיכֶם, מה שלומך?", "नमस्ते दुनिया! हिन्दी में लिखा गया वाक्य।",
  "স্বাগতম বাংলা", "தமிழ் மொழி", "ภาษาไทยไม่มีช่องว่างระหว่างคำ", "ພາສາລາວ", "မြန်မာဘာသာ", "ქართული ენა", "Հայերեն լեզու",
  "日本語の文章：東京は日本の首都です。カタカナとひらがな。", "中文句子：我爱北京天安门，天安门上太阳升。", "繁體中文：臺灣的資訊產業很發達。",
  "한국어 문장: 안녕하세요, 세계! 대한민국 서울특별시.", "Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ！　１２３４５", "ｶﾀｶﾅ ﾊﾝｶｸ",
  "Café naïve coöperate résumé façade jalapeño piñata Zoë Brontë.", "ﬁnance ﬂow ﬀ ﬃ Ǆemal ǅemal ǆemal Ĳssel",
  "The Kelvin sign K, the Ohm sign Ω and the Angstrom sign Å.", "Ⅻ ⅻ Ⓐⓑ 𝐀𝐁𝐂 𝔄𝔅 ＡＢＣ ℌ ℍ ℎ",
  "𐐀𐐁𐐂 𐐨𐐩 Deseret; Ꭰ Ꭱ ꭰ Cherokee; Ⴀ Georgian capital.", "I ♥ NY, ☃ snow, ★ star, ⌘ cmd, ✓ done, ∑ sum, √2 ≈ 1.414, ∞.",
  "Emoji: 😀 😂 🥲 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷🇩🇪 1️⃣ #️⃣ ❤️ ☕ 🧑🏿‍💻 🫠", "Price: $19.99, €5, £3, ¥500, ₹100, ₿0.5, 50¢, 10%.",
  "Email me at john.doe+tag@example.com or visit https://example.com/path?q=1&r=two#frag.",
  "C:\\Users\\me\\file.txt and /usr/local/bin/dotnet --version", "x = a_b + c^2 - d~e | f < g > h; $var = `cmd`; {k: [1, 2]}",
  "if (x != y && z >= 0) { return a[i] ?? b; } // comment", "SELECT * FROM t WHERE name LIKE '%o''brien%';",
  "He said \"hello\" — then ‘goodbye’… and left – quickly.", "Dr. Smith's 3rd-floor office (room #42) opens at 9:30 a.m.",
  "The year 1987 was followed by 1988; 3.14159 and 2,718,281 and 1e-12 and 0x1F.", "unaffable unbelievably antidisestablishmentarianism",
  "Hello[SEP]world [CLS] start [MASK] here [UNK] [PAD] end", "[cls] [sep] [Mask] [ MASK ] [MASK][MASK] x[CLS]y [unused1] [unused99]",
  "##ing ## #hashtag ##", "tokenization tokenizer tokenizers Tokenizer TOKENIZER",
];
for (const s of sentences) add(s);

// Every printable ASCII character, alone, doubled, inside a word and between words.
for (let c = 0x21; c <= 0x7e; c++) {
  const ch = String.fromCharCode(c);
  add(ch); add(ch + ch + ch); add(`a${ch}b`); add(`word${ch} ${ch}word two${ch}${ch}three`); add(`${ch}start end${ch}`);
}
let ascii = ""; for (let c = 0x20; c <= 0x7e; c++) ascii += String.fromCharCode(c);
add(ascii); add(ascii.split("").reverse().join(""));

// Latin letters with accents: precomposed, and decomposed with every combining mark in U+0300–U+036F.
for (let start = 0xc0; start < 0x250; start += 16) {
  let s = ""; for (let c = start; c < start + 16; c++) s += cp(c);
  add(`${s} x${s}y ${s.toUpperCase()}`);
}
for (let mark = 0x300; mark <= 0x36f; mark++) add(`e${cp(mark)} a${cp(mark)}b ${cp(mark)}lone E${cp(mark)}${cp(mark)}`);
add("e\u0301\u0323\u0302 ệ e\u0323\u0302 stacked"); add("\u0301\u0302\u0303"); add("ä\u20dd enclosing \u20dd\u20de");
add("क़ क़ ड़ ढ़ (nukta) कि की कु (Mc and Mn signs)"); add("각 각 한글 각 (Hangul syllables and jamo)");
add("क\u093E\u093F\u0940 two spacing marks in a row"); add("a\u093E\u093E\uFFFEé\u0301 x\uFFFEy"); add("\u1B05\u1B44\u1B44 ᬅ᭄᭄"); add("e\u0301\u093E\u0301\u093F\u0323 mixed marks");
add("Å Å Å ǻ ǽ ȧ ạ ả ấ ầ ẩ ẫ ậ"); add("ﬀ Ⅰ ① ㍻ ㌀ ™ ℡ ½ ¹ ²"); add("İ i̇ I ı İİ İstanbul");

// CJK: both ends of every range BERT splits, the code points next to them, and other East Asian scripts.
const cjkRanges = [[0x4e00, 0x9fff], [0x3400, 0x4dbf], [0x20000, 0x2a6df], [0x2a700, 0x2b73f], [0x2b740, 0x2b81f], [0x2b820, 0x2ceaf], [0xf900, 0xfaff], [0x2f800, 0x2fa1f]];
for (const [lo, hi] of cjkRanges) {
  for (const c of [lo - 1, lo, lo + 1, Math.floor((lo + hi) / 2), hi - 1, hi, hi + 1]) {
    add(`a${cp(c)}b ${cp(c)}${cp(c)} x ${cp(c)}`);
  }
}
add("ひらがなカタカナ漢字混じり文"); add("中文English混合mixed文本"); add("、。「」『』【】〈〉《》！？：；（）"); add("㐀㐁 𠀀𠀁 𪜀 𫝀 𫠠 丽 豈 鿿 ꀀ");
for (let i = 0; i < 60; i++) {
  let s = "";
  for (let j = 0; j < 12; j++) {
    const [lo, hi] = pick(cjkRanges);
    s += random() < 0.3 ? pick(["a", "b", " ", "。", "x1", "の", "가"]) : cp(lo + Math.floor(random() * (hi - lo + 1)));
  }
  add(s);
}

// Control characters, format characters, private use, and whitespace of every kind between words.
for (let c = 0; c < 0x20; c++) add(`a${cp(c)}b ${cp(c)}word${cp(c)} end`);
for (let c = 0x7f; c <= 0xa0; c++) add(`a${cp(c)}b ${cp(c)}word${cp(c)} end`);
const invisible = [0xad, 0x34f, 0x61c, 0x115f, 0x1160, 0x1680, 0x180e, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f,
  0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x202f, 0x205f, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066, 0x2069, 0x206a, 0x206f, 0x3000, 0x3164,
  0xfe00, 0xfe0f, 0xfeff, 0xfff9, 0xfffa, 0xfffb, 0xfffc, 0xfffd, 0xe000, 0xf8ff, 0xffa0, 0x1d173, 0xe0001, 0xe0020, 0xe007f, 0xe0100, 0xf0000, 0x10fffd];
for (const c of invisible) add(`a${cp(c)}b ${cp(c)}word${cp(c)} end ${cp(c)}${cp(c)}`);
add("\t\ttabs\tbetween\twords\t"); add("   leading and trailing   "); add(" "); add("\t"); add("\u3000\u00a0\u2003"); add("\r\n inside \r line \n");
add("\u200b\u200b\u200b"); add("\u0000\u0001\u0002"); add("\ufeffBOM at start"); add("tail BOM\ufeff");

// Lone surrogates: high, low, reversed, next to valid pairs, at word edges.
const loneSurrogateLines = ["\ud800", "\udfff", "a\ud800b", "a\udc00b", "\udc00\ud800 reversed", "😀\ud83d x \ude00😀", "word\ud834", "\udd1eword", "\ud800\ud800\udc00", "中\udbff文", "\ud83d\ude00\ud83d", "é\ud800\u0301"];
for (const s of loneSurrogateLines) add(s);

// Emoji: presentation selectors, skin tones, ZWJ sequences, flags, keycaps, tags, inside words.
const emoji = ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇯🇵", "1️⃣", "❤️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🤷‍♀️", "🙋🏻‍♂️", "☺", "✌️", "🫶", "🦀", "🐍"];
for (const e of emoji) { add(e); add(`word${e}word`); add(`${e}${e} ${e}.`); }

// Very long words around WordPiece's 100-character limit (counted in code points after normalisation).
for (const n of [99, 100, 101, 150, 300]) {
  add("a".repeat(n)); add("ab".repeat(Math.ceil(n / 2)).slice(0, n) + " next");
  add("é".repeat(n)); add("e\u0301".repeat(n)); add("😀".repeat(n)); add("中".repeat(n)); add("x".repeat(n) + "-" + "y".repeat(n));
  add("un" + "believable".repeat(Math.floor(n / 10)));
}
add("supercalifragilisticexpialidocious".repeat(3)); add("𐐀".repeat(101)); add("𐐀".repeat(100));

// Numbers and identifiers.
for (let i = 0; i < 40; i++) {
  add(`${Math.floor(random() * 1e9)} ${(random() * 1000).toFixed(4)} v${Math.floor(random() * 20)}.${Math.floor(random() * 20)}.${Math.floor(random() * 99)} id_${Math.floor(random() * 1e6).toString(36)} 0x${Math.floor(random() * 1e8).toString(16)}`);
}

// Lines longer than 512 tokens, and lines around 128 and 512 tokens.
const prose = docLines.filter((l) => l.length > 60).slice(0, 400);
for (let i = 0; i < 24; i++) {
  let s = ""; const target = 600 + Math.floor(random() * 3000);
  while (s.length < target) s += pick(prose) + " ";
  add(s.trim());
}
for (const words of [60, 61, 62, 63, 64, 120, 124, 125, 126, 127, 128, 129, 250, 253, 254, 255, 256, 500, 508, 509, 510, 511, 512, 513, 700]) {
  add(Array.from({ length: words }, (_, i) => `w${i % 10}`).join(" "));
  add(Array.from({ length: words }, () => "the").join(" "));
}
add("中".repeat(520)); add("!".repeat(600)); add("a ".repeat(1000).trim());

// Random mixtures of all of the above: the hostile part.
const fragments = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", ..."!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
  " ", " ", " ", "\t", "\n", "\r", "\u00a0", "\u3000", "\u200b", "\u200d", "\ufeff", "\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u00ad", "\ufffd", "\ue000",
  "\u0301", "\u0308", "\u0327", "\u20dd", "\ufe0f", "é", "ñ", "ü", "Ø", "ß", "Σ", "σ", "ς", "İ", "ı", "Å", "Ω", "ﬁ", "Ǆ", "ǅ", "Ⅻ", "Ⓐ", "𝐀", "𐐀", "Ꭰ",
  "中", "文", "日", "本", "한", "글", "あ", "カ", "㐀", "𠀀", "豈", "丽", "ꀀ", "。", "，", "「", "」", "！", "—", "–", "…", "«", "»", "‘", "’", "“", "”", "·", "•", "§", "¶", "†",
  "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "€", "£", "¥", "©", "®", "™", "°", "±", "×", "÷", "∑", "√", "∞", "≈", "≠", "≤", "←", "→", "♥", "★",
  "\ud800", "\udc00", "[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]", "##", "the", "token", "ization", "un", "able", "running", "straße", "naïve", "ΟΔΥΣΣΕΥΣ", "İstanbul", "Ünïcödé"];
for (let i = 0; i < 900; i++) {
  const n = 1 + Math.floor(random() * (random() < 0.1 ? 200 : 30));
  let s = ""; for (let j = 0; j < n; j++) s += pick(fragments);
  add(s);
}
add(""); add(""); add("end of corpus");

// JSON string literals, with every control, format, separator, surrogate and non-ASCII space escaped.
const escape = (text) => {
  let s = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const ch = text[i];
    if (ch === '"' || ch === "\\") { s += "\\" + ch; continue; }
    const isHigh = unit >= 0xd800 && unit <= 0xdbff, next = text.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      const pair = text.slice(i, i + 2);
      s += /[\p{C}\p{Z}]/u.test(pair) ? `\\u${unit.toString(16).padStart(4, "0")}\\u${next.toString(16).padStart(4, "0")}` : pair;
      i++; continue;
    }
    const visible = unit === 0x20 || !/[\p{C}\p{Z}]/u.test(ch);
    s += visible ? ch : `\\u${unit.toString(16).padStart(4, "0")}`;
  }
  return s + '"';
};
writeFileSync(out, lines.map(escape).join("\n") + "\n");
console.log(`${lines.length} lines -> ${out}`);

// Writes Hugging Face's bert-base-uncased token ids for every line of the tokenizer corpus:
// tests/Attend.Tests/TestData/tokenizer/reference.txt. Run: `npm ci && node make-reference.mjs`.
//
// The tokenizer is Transformers.js 4.3.1 (its tokenizers follow the Rust `tokenizers` crate), built
// from the checked-in vocab.txt and a tokenizer.json equal to bert-base-uncased's, written to a
// temporary folder; nothing is downloaded. Two things are not left to Transformers.js, both because
// it departs there from the Rust and Python tokenizers that BERT checkpoints were trained with:
// - CJK splitting walks UTF-16 code units in Transformers.js, so it never sees the CJK ideographs
//   above U+FFFF (Extensions B–F, compatibility supplement); Rust and Python walk code points. The
//   normaliser below is patched to walk code points; the script prints how many lines that changes.
// - Transformers.js truncates by cutting the finished ids (the final [SEP] is lost). Truncated ids
//   here are Transformers.js's ids without special tokens, cut by the Rust crate's rule
//   (utils/truncation.rs, longest_first, right side) and then given [CLS]/[SEP] like the untruncated ids.
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { AutoTokenizer, env } from "@huggingface/transformers";

const data = join(import.meta.dirname, "..", "..", "tests", "Attend.Tests", "TestData", "tokenizer");
const vocabulary = readFileSync(join(data, "vocab.txt"), "utf8").split(/\r?\n/);
if (vocabulary.at(-1) === "") vocabulary.pop();
const vocab = Object.fromEntries(vocabulary.map((token, id) => [token, id]));
const id = (token) => vocab[token];
const special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

const tokenizerJson = {
  version: "1.0", truncation: null, padding: null,
  added_tokens: special.map((content) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
  normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: "BertPreTokenizer" },
  post_processor: {
    type: "TemplateProcessing",
    single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
    pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } },
      { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "[SEP]", type_id: 1 } }],
    special_tokens: Object.fromEntries(["[CLS]", "[SEP]"].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
  },
  decoder: { type: "WordPiece", prefix: "##", cleanup: true },
  model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
};
const tokenizerConfig = {
  tokenizer_class: "BertTokenizer", do_lower_case: true, tokenize_chinese_chars: true, strip_accents: null,
  unk_token: "[UNK]", sep_token: "[SEP]", pad_token: "[PAD]", cls_token: "[CLS]", mask_token: "[MASK]",
  model_max_length: 1e9, clean_up_tokenization_spaces: true,
};

const models = mkdtempSync(join(tmpdir(), "attend-tokenizer-"));
mkdirSync(join(models, "bert-base-uncased"));
writeFileSync(join(models, "bert-base-uncased", "tokenizer.json"), JSON.stringify(tokenizerJson));
writeFileSync(join(models, "bert-base-uncased", "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
env.allowRemoteModels = false;
env.localModelPath = models;
const started = performance.now();
const tokenizer = await AutoTokenizer.from_pretrained("bert-base-uncased");
rmSync(models, { recursive: true });

const corpus = readFileSync(join(data, "corpus.txt"), "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
const encode = (text, pair = null, add_special_tokens = true) =>
  tokenizer(text, { text_pair: pair, add_special_tokens, return_tensor: false, return_token_type_ids: true });

const normalizer = tokenizer._tokenizer.normalizer;
if (normalizer?.constructor?.name !== "BertNormalizer") throw new Error("the tokenizer's normaliser moved; update the CJK patch");
const unpatched = corpus.map((text) => encode(text).input_ids.join(" "));
const isChinese = (c) => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x2a6df) || (c >= 0x2a700 && c <= 0x2b73f) ||
  (c >= 0x2b740 && c <= 0x2b81f) || (c >= 0x2b820 && c <= 0x2ceaf) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x2f800 && c <= 0x2fa1f);
normalizer.tokenize_chinese_chars = (text) => Array.from(text, (ch) => (isChinese(ch.codePointAt(0)) ? ` ${ch} ` : ch)).join("");

const [cls, sep] = [id("[CLS]"), id("[SEP]")];
// utils/truncation.rs, LongestFirst, direction Right; `budget` is max_length less the special tokens.
const truncatePair = (a, b, budget) => {
  if (a.length + b.length <= budget) return [a, b];
  let [n1, n2] = [a.length, b.length];
  const swap = n1 > n2;
  if (swap) [n1, n2] = [n2, n1];
  n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
  if (n1 + n2 > budget) { n1 = Math.floor(budget / 2); n2 = n1 + (budget % 2); }
  if (swap) [n1, n2] = [n2, n1];
  return [a.slice(0, n1), b.slice(0, n2)];
};

const out = ["# bert-base-uncased ids from Transformers.js 4.3.1 for corpus.txt (0-based line numbers); written by scripts/tokenizer-reference/make-reference.mjs.",
  "# single N: ids | single@L N: ids truncated to L (only where longer) | pair A B K: ids, the first K have token type 0 | pair@L A B K: truncated."];
let changedByPatch = 0, pairs = 0;
const bare = corpus.map((text) => encode(text, null, false).input_ids);
for (let i = 0; i < corpus.length; i++) {
  const full = encode(corpus[i]);
  const ids = full.input_ids;
  if (ids.join(" ") !== unpatched[i]) changedByPatch++;
  if (ids.join(" ") !== [cls, ...bare[i], sep].join(" ")) throw new Error(`line ${i}: special tokens are not [CLS] A [SEP]`);
  out.push(`single ${i}: ${ids.join(" ")}`);
  for (const max of [128, 512]) {
    if (ids.length > max) out.push(`single@${max} ${i}: ${[cls, ...bare[i].slice(0, max - 2), sep].join(" ")}`);
  }
}
// Pairs: every third line with a line far away; Transformers.js reads an empty second text as no pair, so those are skipped.
for (let i = 0; i < corpus.length; i += 3) {
  const j = (i * 7919 + 17) % corpus.length;
  if (corpus[j].length === 0) continue;
  const full = encode(corpus[i], corpus[j]);
  const typeZero = full.token_type_ids.filter((t) => t === 0).length;
  const expected = [cls, ...bare[i], sep, ...bare[j], sep];
  if (full.input_ids.join(" ") !== expected.join(" ") || typeZero !== bare[i].length + 2) throw new Error(`pair ${i} ${j}: not [CLS] A [SEP] B [SEP]`);
  out.push(`pair ${i} ${j} ${typeZero}: ${full.input_ids.join(" ")}`);
  pairs++;
  for (const max of [128, 512]) {
    if (full.input_ids.length > max) {
      const [a, b] = truncatePair(bare[i], bare[j], max - 3);
      out.push(`pair@${max} ${i} ${j} ${a.length + 2}: ${[cls, ...a, sep, ...b, sep].join(" ")}`);
    }
  }
}
writeFileSync(join(data, "reference.txt"), out.join("\n") + "\n");
console.log(`${corpus.length} lines, ${pairs} pairs, ${out.length - 2} reference rows; the code-point CJK patch changed ${changedByPatch} lines; ${((performance.now() - started) / 1000).toFixed(1)} s`);

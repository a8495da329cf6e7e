"""Writes tests/Attend.Tests/TestData/bert/sentences.txt: real English of mixed length for the all-MiniLM-L6-v2 parity
tests, taken from this repo's own documentation (README.md, docs/*.md, the samples' READMEs, the runtime's XML doc
comments) as it stood when the file was made: single sentences, and whole paragraphs so some inputs reach the 256-token
truncation. Deterministic; run with python3."""
import glob, re, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
texts = []
def documentation():
    for path in ["README.md"] + sorted(glob.glob(str(root / "docs" / "*.md"))) + sorted(glob.glob(str(root / "samples" / "*" / "README.md"))):
        yield (root / path).read_text(encoding="utf-8")
    for path in sorted(glob.glob(str(root / "src" / "**" / "*.cs"), recursive=True)):
        comments = [re.sub(r"<[^>]+>", "", l.split("///", 1)[1]) for l in (root / path).read_text(encoding="utf-8").splitlines() if "///" in l]
        yield "\n".join(comments)

for text in documentation():
    text = re.sub(r"```.*?```", "", text, flags=re.S)              # code blocks
    lines = [l for l in text.splitlines() if not l.lstrip().startswith(("|", "#", "<", "!["))]
    for paragraph in re.split(r"\n\s*\n", "\n".join(lines)):
        paragraph = re.sub(r"\s+", " ", re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", paragraph)).strip()
        if len(paragraph.split()) < 4:
            continue
        if len(paragraph) > 400:
            texts.append(paragraph)                                    # long inputs, some past 256 tokens
        texts += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph) if len(s.split()) >= 4]
seen, corpus = set(), []
for t in texts:
    if t not in seen:
        seen.add(t)
        corpus.append(t)
# 600 texts keep the parity tests' CI time in bounds on the scalar path: every paragraph, sentences evenly spaced.
paragraphs = [t for t in corpus if len(t) > 400]
sentences = [t for t in corpus if len(t) <= 400]
step = len(sentences) / (600 - len(paragraphs))
chosen = set(paragraphs) | {sentences[int(i * step)] for i in range(600 - len(paragraphs))}
corpus = [t for t in corpus if t in chosen]
out = root / "tests" / "Attend.Tests" / "TestData" / "bert" / "sentences.txt"
out.write_text("\n".join(corpus) + "\n", encoding="utf-8")
print(len(corpus), "texts,", sum(len(t) > 400 for t in corpus), "paragraphs")

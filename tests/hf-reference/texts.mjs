// The texts a tokenizer is checked on: texts.json (code, whitespace runs, CRLF, scripts, emoji, combining marks,
// numbers, look-alike markup) and every added token of the file (special or not) inside running text, 40 to a text.
// Run as a script, it prints them as JSON lines {"text": ...}, the input `pipeline tokenize` reads.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function textsFor(tokenizerJson) {
  const base = JSON.parse(readFileSync(new URL("./texts.json", import.meta.url), "utf8"));
  const specials = JSON.parse(readFileSync(tokenizerJson, "utf8")).added_tokens.map((t) => t.content);
  const withSpecials = [];
  for (let i = 0; i < specials.length; i += 40) {
    withSpecials.push(specials.slice(i, i + 40).map((t, j) => (j % 2 === 0 ? `x${t}y ` : `${t}\n ${t} `)).join(""));
  }
  return [...base, ...withSpecials];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const text of textsFor(process.argv[2])) process.stdout.write(JSON.stringify({ text }) + "\n");
}

// `node compare.mjs TOKENIZER_JSON INPUT_JSONL OUTPUT_JSONL [--add-special-tokens]`: compares `pipeline tokenize`'s
// output lines with Hugging Face's ids and tokens for the same input, prints how many texts are identical and the
// first difference, and exits 1 unless all are.
import { readFileSync } from "node:fs";
import { Tokenizer } from "tokenizers";

const [tokenizerJson, input, output, flag] = process.argv.slice(2);
const lines = (path) => readFileSync(path, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
const texts = lines(input).map((l) => l.text);
const ours = lines(output);
const tokenizer = Tokenizer.fromFile(tokenizerJson);
let identical = 0;
let firstDifference = null;
for (let i = 0; i < texts.length; i++) {
  const theirs = await tokenizer.encode(texts[i], null, { addSpecialTokens: flag === "--add-special-tokens" });
  const same = JSON.stringify(ours[i]?.ids) === JSON.stringify(theirs.getIds())
    && JSON.stringify(ours[i]?.tokens) === JSON.stringify(theirs.getTokens());
  if (same) identical++;
  else firstDifference ??= { text: texts[i], ours: ours[i]?.ids, huggingFace: theirs.getIds() };
}
console.log(`${identical} of ${texts.length} texts identical (ids and tokens)`);
if (firstDifference) console.log(`first difference: ${JSON.stringify(firstDifference)}`);
process.exit(identical === texts.length && ours.length === texts.length ? 0 : 1);

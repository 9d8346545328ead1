// Hugging Face's own tokenizer on each text: {"tokenizer": path, "texts"?: [...]} → {"texts": [...], "results": [...]}.
// Without "texts", the texts of texts.mjs for that tokenizer.
import { Tokenizer } from "tokenizers";
import { textsFor } from "./texts.mjs";

const request = JSON.parse(await new Response(process.stdin).text());
const tokenizer = Tokenizer.fromFile(request.tokenizer);
const texts = request.texts ?? textsFor(request.tokenizer);
const results = [];
for (const text of texts) {
  const plain = await tokenizer.encode(text, null, { addSpecialTokens: false });
  const withSpecial = await tokenizer.encode(text, null, { addSpecialTokens: true });
  results.push({
    ids: plain.getIds(),
    tokens: plain.getTokens(),
    ids_with_special_tokens: withSpecial.getIds(),
    decoded: await tokenizer.decode(plain.getIds(), false),
    decoded_skipping_special_tokens: await tokenizer.decode(withSpecial.getIds(), true),
  });
}
process.stdout.write(JSON.stringify({ texts, results }));

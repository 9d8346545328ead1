// Renders chat templates with @huggingface/jinja, as transformers.js's apply_chat_template does.
// stdin:  {"template": "...", "cases": [{"messages": [...], "add_generation_prompt": bool, "variables": {...}}]}
// stdout: {"renders": ["..." or {"error": "..."}, ...]} (every case an error when the template does not parse)
import { Template } from "@huggingface/jinja";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const request = JSON.parse(input);

let template = null;
let parseError = null;
try {
  template = new Template(request.template);
} catch (e) {
  parseError = String(e?.message ?? e);
}

const renders = request.cases.map(({ messages, add_generation_prompt, variables }) => {
  if (parseError !== null) return { error: parseError };
  try {
    return template.render({ messages, add_generation_prompt, ...(variables ?? {}) });
  } catch (e) {
    return { error: String(e?.message ?? e) };
  }
});
process.stdout.write(JSON.stringify({ renders }));

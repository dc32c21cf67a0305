// Reads a JSON array of strings on stdin; prints a JSON array of their o200k_base token counts.
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString("utf8"));
process.stdout.write(JSON.stringify(texts.map((text) => countTokens(text))));

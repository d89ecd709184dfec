// One click replaces every span the guard flagged in a form with a placeholder such as [NAME].
// The server's offsets count code points in the stripped text it checked.
import { redact } from "./deid_review.js";

const panel = document.querySelector("[data-deid-form]");
const flagged = JSON.parse(document.getElementById("deid-flagged").textContent);
const form = panel.closest("form") || document.querySelector("main form[method=post]");

panel.querySelector("[data-testid=deid-redact-form]").addEventListener("click", () => {
  for (const [name, spans] of Object.entries(flagged)) {
    const field = form.elements[name];
    if (!field) continue;
    const lead = field.value.length - field.value.trimStart().length;
    const text = field.value.trim();
    field.value = field.value.slice(0, lead) + redact(text, spans) + field.value.slice(lead + text.length);
  }
  // Ticks given for the text as it was would confirm nothing in the new text, or the wrong thing.
  for (const tick of form.querySelectorAll("input[name=deid_confirm]")) tick.remove();
  panel.hidden = true;
});

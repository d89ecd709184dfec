// Shows what the de-identification guard flagged, in place, with its kind; one click replaces
// every flagged span with a placeholder such as [NAME], or the writer confirms that a span is
// a false alarm. Offsets from the server count Unicode code points, as Python strings do.

export function placeholder(kind) {
  return `[${kind}]`;
}

// Replace every finding with its placeholder, last first so earlier offsets stay valid.
export function redact(text, findings) {
  const chars = Array.from(text);
  for (const f of [...findings].sort((a, b) => b.start - a.start)) {
    chars.splice(f.start, f.end - f.start, placeholder(f.kind));
  }
  return chars.join("");
}

// Build the preview: plain text with each flagged span in a <mark> naming its kind.
function preview(text, findings) {
  const chars = Array.from(text);
  const nodes = [];
  let at = 0;
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    nodes.push(document.createTextNode(chars.slice(at, f.start).join("")));
    const mark = document.createElement("mark");
    mark.dataset.kind = f.kind;
    mark.dataset.testid = "flagged";
    mark.title = `Looks like ${f.kind}`;
    mark.textContent = chars.slice(f.start, f.end).join("");
    const tag = document.createElement("sup");
    tag.textContent = f.kind;
    mark.append(tag);
    nodes.push(mark);
    at = f.end;
  }
  nodes.push(document.createTextNode(chars.slice(at).join("")));
  return nodes;
}

// panel: an element to fill; onRedact(text) and onConfirm(text, confirmations) act on the choice.
export function showFindings(panel, { text, findings, onRedact, onConfirm }) {
  const body = document.createElement("p");
  body.className = "deid-preview";
  body.append(...preview(text, findings));

  const list = document.createElement("ul");
  list.className = "deid-findings";
  const boxes = findings.map((f, i) => {
    const li = document.createElement("li");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.dataset.index = i;
    label.append(box, ` “${Array.from(text).slice(f.start, f.end).join("")}” is not a ${f.kind.toLowerCase()}`);
    li.append(label);
    list.append(li);
    return box;
  });

  const redactButton = button("Redact all and edit", "deid-redact", () => {
    close();
    onRedact(redact(text, findings));
  });
  const confirmButton = button("Send, confirming the ticked spans are not identifiers", "deid-confirm", () => {
    const confirmed = findings.filter((_, i) => boxes[i].checked);
    if (confirmed.length !== findings.length) {
      confirmButton.setCustomValidity?.("Tick every span, or redact");
      hint.hidden = false;
      return;
    }
    close();
    onConfirm(text, confirmed.map(({ start, end, kind }) => ({ start, end, kind })));
  });
  const cancelButton = button("Cancel", "deid-cancel", () => close());
  cancelButton.className = "link";
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.hidden = true;
  hint.textContent = "Every flagged span must be redacted or confirmed before the text can be sent.";

  const heading = document.createElement("h3");
  heading.textContent = "This may identify the client. Nothing was sent.";
  panel.replaceChildren(heading, body, list, redactButton, confirmButton, cancelButton, hint);
  panel.hidden = false;

  function close() {
    panel.hidden = true;
    panel.replaceChildren();
  }
}

function button(text, testid, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.dataset.testid = testid;
  b.addEventListener("click", onClick);
  return b;
}

// Several fields of one request (a consult's question and note): the same review, field by field.
// texts: {field: text as the server checked it}; flagged: {field: findings}.
export function showFieldFindings(panel, { texts, flagged, onConfirm }) {
  const sections = [];
  const boxes = [];
  for (const [field, findings] of Object.entries(flagged)) {
    const text = texts[field] || "";
    const body = document.createElement("p");
    body.className = "deid-preview";
    body.dataset.field = field;
    body.append(...preview(text, findings));
    const list = document.createElement("ul");
    list.className = "deid-findings";
    for (const f of findings) {
      const li = document.createElement("li");
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      boxes.push({ box, field, finding: f });
      label.append(box, ` “${Array.from(text).slice(f.start, f.end).join("")}” is not a ${f.kind.toLowerCase()}`);
      li.append(label);
      list.append(li);
    }
    sections.push(body, list);
  }
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.hidden = true;
  hint.textContent = "Tick every flagged span, or rewrite the text.";
  const confirmButton = button("Send, confirming the ticked spans are not identifiers", "deid-confirm", () => {
    if (!boxes.every(({ box }) => box.checked)) {
      hint.hidden = false;
      return;
    }
    panel.hidden = true;
    panel.replaceChildren();
    const confirmations = {};
    for (const { field, finding: { start, end, kind } } of boxes) {
      (confirmations[field] ||= []).push({ start, end, kind });
    }
    onConfirm(confirmations);
  });
  const cancelButton = button("Rewrite", "deid-cancel", () => {
    panel.hidden = true;
    panel.replaceChildren();
  });
  cancelButton.className = "link";
  const heading = document.createElement("h3");
  heading.textContent = "This may identify the client. Nothing was sent.";
  panel.replaceChildren(heading, ...sections, confirmButton, cancelButton, hint);
  panel.hidden = false;
}

// The flagged spans of a refused request, by field: {field: findings}.
export function flaggedByField(error) {
  return error.fields || { [error.field]: error.findings };
}

// For a one-line answer typed into a prompt (an outcome, a reason, a note): ask span by span.
// Returns {field: [{start, end, kind}]} when the writer confirms every span, else null.
export function confirmEachSpan(error, texts) {
  const confirmations = {};
  for (const [field, findings] of Object.entries(flaggedByField(error))) {
    const text = Array.from(texts[field] || "");
    for (const { start, end, kind } of findings) {
      const shown = text.slice(start, end).join("");
      if (!window.confirm(`“${shown}” looks like ${kind}. Nothing was sent.\n\nOK: it is not an identifier ` +
        "(your confirmation is recorded). Cancel: rewrite it.")) return null;
      (confirmations[field] ||= []).push({ start, end, kind });
    }
  }
  return confirmations;
}

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

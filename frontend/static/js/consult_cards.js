// Consult cards shared by the dashboard and the case-room panel: one render per consult state,
// from the same `consult.updated` frames everyone receives. Text goes in with textContent only.
import { confirmEachSpan, flaggedByField, showFieldFindings } from "./deid_review.js";

// The server's one definition of the signs and the crisis resources, put in the page by base.html.
const pageData = (id, empty) => JSON.parse(document.getElementById(id)?.textContent ?? empty);
const SIGN_LABELS = pageData("consult-signs", "{}");
const STATE_TEXT = {
  open: "Waiting for a supervisor", paging: "Paging", acknowledged: "Acknowledged",
  unanswered: "Nobody has answered yet", resolved: "Resolved",
};

export function csrfPost(url, data = {}) {
  const body = new URLSearchParams(); // urlencoded: an empty multipart body is a 400 in Django
  Object.entries(data).forEach(([k, v]) => body.append(k, v));
  const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return fetch(url, {
    method: "POST", body, credentials: "same-origin",
    headers: { "X-CSRFToken": token ? token.split("=")[1] : "" },
  }).then(async (r) => ({ ok: r.ok, data: await r.json().catch(() => ({})) }));
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : "";
}

export function countdown(iso) {
  const span = el("span", "countdown");
  span.dataset.testid = "countdown";
  span.dataset.until = iso;
  tickCountdown(span);
  return span;
}

function tickCountdown(span) {
  const left = Math.max(0, Math.round((new Date(span.dataset.until) - Date.now()) / 1000));
  span.textContent = `escalates in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
}

setInterval(() => document.querySelectorAll(".countdown").forEach(tickCountdown), 1000);

export function renderConsult(c, { me, supervisor, onAction }) {
  const li = el("li", `consult consult-${c.state} kind-${c.kind}`);
  li.id = `consult-${c.id}`;
  li.dataset.testid = "consult";
  li.dataset.consult = c.id;
  li.dataset.state = c.state;
  const head = el("div", "consult-head");
  head.append(el("strong", "kind", c.kind.toUpperCase()));
  if (c.case) {
    const a = el("a", "code", c.case);
    a.href = `/cases/${c.case}/`;
    head.append(a);
  } else head.append(el("span", "", "support request"));
  head.append(el("span", "meta", `from ${c.requester.name} at ${time(c.created_at)}`));
  const state = el("span", "state", STATE_TEXT[c.state] + (c.state === "paging" && c.tier_label ? ` (${c.tier_label.toLowerCase()})` : ""));
  state.dataset.testid = "consult-state";
  head.append(state);
  if (c.state === "paging" && c.escalate_at) head.append(countdown(c.escalate_at));
  li.append(head, el("p", "question", c.question));
  const signs = Object.entries(c.signs || {}).filter(([, on]) => on).map(([k]) => SIGN_LABELS[k] ?? k);
  if (signs.length || c.signs_note) li.append(el("p", "signs", `Signs: ${signs.join(", ")}${c.signs_note ? ` — ${c.signs_note}` : ""}`));
  if (c.acknowledged_by) {
    const ack = el("p", "acknowledged", c.case
      ? `${c.acknowledged_by.name} acknowledged at ${time(c.acknowledged_at)} and joined the room`
      : `${c.acknowledged_by.name} took it at ${time(c.acknowledged_at)}`);
    ack.dataset.testid = "acknowledged-by";
    li.append(ack);
  }
  if (c.state === "resolved") li.append(el("p", "outcome", `Resolved by ${c.resolved_by?.name}: ${c.outcome}`));
  if (c.state === "unanswered" && c.requester.id === me) li.append(crisisBox());
  li.append(...[actions(c, { me, supervisor, onAction })].flat());
  return li;
}

export function crisisBox() {
  const box = el("div", "crisis-box");
  box.dataset.testid = "crisis-resources";
  box.setAttribute("role", "alert");
  box.append(el("strong", "", "Nobody has acknowledged your urgent consult yet."));
  const ul = el("ul");
  pageData("crisis-resources", "[]").forEach((r) => ul.append(el("li", "", `${r.name}: ${r.contact}`)));
  box.append(ul);
  return box;
}

function actions(c, { me, supervisor, onAction }) {
  const row = el("div", "consult-actions");
  const button = (label, testid, handler) => {
    const b = el("button", "", label);
    b.type = "button";
    b.dataset.testid = testid;
    b.addEventListener("click", handler);
    row.append(b);
  };
  const active = ["open", "paging", "unanswered"].includes(c.state);
  if (supervisor && active) button("Acknowledge", "acknowledge", () => onAction("ack", c));
  if ((supervisor || c.requester.id === me) && c.state !== "resolved") button("Resolve", "resolve", () => onAction("resolve", c));
  if (c.state === "unanswered" && (c.requester.id === me || supervisor)) return [repageForm(c, onAction), row];
  return row;
}

// After nobody answered: what is new goes with the next round of pages, in the same step.
function repageForm(c, onAction) {
  const form = el("form", "repage-form");
  form.dataset.testid = "repage-form";
  const label = el("label", "", "What is new since you asked? (optional; no identifiers)");
  const facts = el("textarea");
  facts.name = "facts";
  facts.rows = 2;
  facts.id = `repage-facts-${c.id}`;
  facts.dataset.testid = "repage-facts";
  label.htmlFor = facts.id;
  const send = el("button", "", "Add this and page the on-call again");
  send.type = "submit";
  send.dataset.testid = "repage";
  form.append(label, facts, send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onAction("repage", { ...c, facts: facts.value.trim() });
  });
  return form;
}

export async function consultAction(kind, c) {
  if (kind === "resolve") {
    const outcome = prompt("Outcome (no identifiers):");
    if (!outcome) return null;
    return postConfirming(`/consults/${c.id}/resolve/`, { outcome });
  }
  if (kind === "repage") return postConfirming(`/consults/${c.id}/repage/`, c.facts ? { facts: c.facts } : {});
  return csrfPost(`/consults/${c.id}/${kind}/`);
}

// Post a short answer; when the guard flags it, ask about each span and send it again with the
// writer's confirmations, or give up (null) when they would rather rewrite it.
export async function postConfirming(url, data) {
  const result = await csrfPost(url, data);
  const error = result.data.error;
  if (result.ok || error?.code !== "identifier_found") return result;
  const texts = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v).trim()]));
  const confirmations = confirmEachSpan(error, texts);
  if (!confirmations) return null;
  return csrfPost(url, { ...data, confirmations: JSON.stringify(confirmations) });
}

export function bindConsultForm(form, onDone) {
  const error = form.querySelector("[data-testid=consult-error]");
  const kind = form.querySelector("[name=kind]");
  const syncKind = () => {
    form.querySelectorAll(".for-case").forEach((n) => (n.hidden = kind.value === "support"));
    form.querySelectorAll(".for-support").forEach((n) => (n.hidden = kind.value !== "support"));
  };
  kind.addEventListener("change", syncKind);
  syncKind();
  const deidPanel = form.querySelector("[data-testid=consult-deid-panel]");
  const send = async (data) => {
    const result = await csrfPost("/consults/new/", data);
    if (!result.ok) {
      const e = result.data.error || { message: "The request failed; try again." };
      error.textContent = e.code === "identifier_found" ? `${e.message}. Rewrite it, or confirm each span is not an identifier.` : e.message;
      error.hidden = false;
      if (e.code === "identifier_found" && deidPanel) {
        const texts = { question: (data.question || "").trim(), signs_note: (data.signs_note || "").trim() };
        showFieldFindings(deidPanel, { texts, flagged: flaggedByField(e), onConfirm: (confirmations) => {
          error.hidden = true;
          send({ ...data, confirmations: JSON.stringify(confirmations) });
        } });
      }
      return;
    }
    form.reset();
    syncKind();
    onDone(result.data.consult);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.hidden = true;
    if (deidPanel) deidPanel.hidden = true;
    const data = Object.fromEntries(new FormData(form).entries());
    if (data.kind === "support") delete data.case;
    send(data);
  });
}

// The consult panel of a case room: raise a consult, and follow its state live from the room's
// own socket (room.js re-dispatches frames it has no handler for as "room:frame" events).
import { bindConsultForm, consultAction, renderConsult } from "./consult_cards.js";

const panel = document.getElementById("consult-panel");
const room = document.getElementById("room");
const caseCode = panel.dataset.case;
const me = Number(panel.dataset.me);
const supervisor = panel.dataset.supervisor === "1";
const list = panel.querySelector("[data-testid=consults]");
const consults = new Map();

function upsert(c) {
  const known = consults.get(c.id);
  if (!known || known.updated_at <= c.updated_at) consults.set(c.id, c); // never step back in time
  render();
}

function render() {
  list.replaceChildren();
  [...consults.values()].sort((a, b) => b.id - a.id)
    .forEach((c) => list.append(renderConsult(c, { me, supervisor, onAction })));
}

async function onAction(kind, c) {
  const result = await consultAction(kind, c);
  if (result && !result.ok) alert(result.data.error?.message || "That did not work; try again.");
  if (result?.ok) upsert(result.data.consult);
}

async function load() {
  const response = await fetch(`/consults/case/${encodeURIComponent(caseCode)}/`, { credentials: "same-origin" });
  if (response.ok) (await response.json()).consults.forEach(upsert);
}

room.addEventListener("room:frame", (event) => {
  const frame = event.detail;
  if (frame.type === "consult.updated" && frame.consult.case === caseCode) upsert(frame.consult);
  if (frame.type === "room.joined") load(); // after every (re)connect: the database is the truth
});

bindConsultForm(panel.querySelector("[data-testid=consult-form]"), (c) => {
  upsert(c);
  panel.querySelector("details").open = false;
});
load();

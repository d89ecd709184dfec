// The case room's records panel (guidance entries, review minutes). It is rendered by the server;
// a records frame on the room socket (or a reconnect) re-fetches it, so the database stays the
// truth and the panel looks the same live as after a reload.
const room = document.getElementById("room");
const caseCode = room.dataset.case;
const me = Number(room.dataset.me);
const RECORD_FRAMES = new Set(["guidance.logged", "guidance.amended", "guidance.acknowledged",
  "review.minutes_recorded", "record.redacted", "room.joined"]);
let loading = null;

async function reloadPanel() {
  if (loading) return loading.then(reloadPanel);
  loading = fetch(`/cases/${encodeURIComponent(caseCode)}/guidance/panel/`, { credentials: "same-origin" })
    .then(async (response) => {
      if (!response.ok) return;
      const holder = document.createElement("div");
      holder.innerHTML = await response.text(); // our own server-rendered, auto-escaped template
      document.getElementById("records-panel").replaceWith(holder.firstElementChild);
    })
    .finally(() => (loading = null));
  return loading;
}

function showRisk(frame) {
  const badge = room.querySelector(".room-head .risk");
  if (badge) {
    badge.className = `risk risk-${frame.to_level}`;
    badge.textContent = frame.to_level[0].toUpperCase() + frame.to_level.slice(1);
  }
  if (frame.prompts_urgent_consult && frame.by.id === me) openUrgentConsult();
}

// A rise to high or imminent risk: offer the urgent consult form, already set to "urgent".
function openUrgentConsult() {
  const raise = document.querySelector("[data-testid=consult-raise]");
  if (!raise) return;
  raise.open = true;
  const kind = raise.querySelector("select[name=kind]");
  if (kind) kind.value = "urgent";
  raise.scrollIntoView({ block: "center" });
}

room.addEventListener("room:frame", (event) => {
  const frame = event.detail;
  if (RECORD_FRAMES.has(frame.type)) reloadPanel();
  if (frame.type === "risk.changed") showRisk(frame);
});

// Acknowledging from the room: post the form, then let the broadcast (or this reload) redraw it.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("[data-testid=ack-form]");
  if (!form) return;
  event.preventDefault();
  form.querySelector("button").disabled = true;
  await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
    headers: { Accept: "application/json" } });
  reloadPanel();
});

if (new URLSearchParams(location.search).get("urgent") === "1") openUrgentConsult();

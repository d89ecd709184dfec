// Messages not yet acknowledged by the server, kept in localStorage so a reload or a crash of
// the tab does not lose what the user typed. Each keeps its client_id for idempotent resends.
export class Outbox {
  constructor(key) {
    this.key = key;
  }

  items() {
    try {
      return JSON.parse(localStorage.getItem(this.key) || "[]");
    } catch {
      return [];
    }
  }

  get(clientId) {
    return this.items().find((item) => item.client_id === clientId);
  }

  add(item) {
    this.save([...this.items(), item]);
  }

  remove(clientId) {
    this.save(this.items().filter((item) => item.client_id !== clientId));
  }

  save(items) {
    localStorage.setItem(this.key, JSON.stringify(items));
  }
}

// The event stream's view: a table of rows the kernel sends in batches.
// Messages from the kernel: {type: "reset" | "rows", rows, first, counters}.
// "reset" replaces the rows, "rows" appends; rows with seq < first left the window.
const ENDS = ["client", "server"];
const KINDS = ["call", "event", "net", "note"];

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function rowElement(row, manyPairs) {
  const tr = document.createElement("tr");
  tr.className = `cfws-row cfws-${row.end} cfws-kind-${row.kind}`;
  tr.dataset.seq = String(row.seq);
  tr.dataset.end = row.end;
  tr.dataset.kind = row.kind;
  tr.dataset.name = row.name;
  cell(tr, String(row.seq), "cfws-seq");
  if (manyPairs) cell(tr, String(row.pair), "cfws-pair");
  cell(tr, row.end, "cfws-end");
  const step = cell(tr, row.step, "cfws-step");
  if (row.payload) step.classList.add(`cfws-payload-${row.payload}`);
  if (row.error) {
    const err = document.createElement("div");
    err.className = "cfws-error";
    err.textContent = `✗ ${row.error}`;
    step.appendChild(err);
  }
  cell(tr, row.code !== undefined ? `${row.code} ${row.meaning}` : "", "cfws-code");
  cell(tr, row.wasClean === undefined ? "" : String(row.wasClean), "cfws-clean");
  cell(tr, row.client, "cfws-state cfws-client-state");
  cell(tr, row.server, "cfws-state cfws-server-state");
  return tr;
}

function checkboxes(model, trait, values, container) {
  const boxes = [];
  for (const value of values) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = value;
    box.dataset.filter = trait;
    box.addEventListener("change", () => {
      model.set(trait, boxes.filter((b) => b.checked).map((b) => b.value));
      model.save_changes();
    });
    boxes.push(box);
    label.append(box, ` ${value}`);
    container.appendChild(label);
  }
  const sync = () => {
    const chosen = model.get(trait);
    for (const b of boxes) b.checked = chosen.includes(b.value);
  };
  sync();
  model.on(`change:${trait}`, sync);
}

function render({ model, el }) {
  el.classList.add("cfws-stream");
  const bar = document.createElement("div");
  bar.className = "cfws-bar";
  const ends = document.createElement("span");
  ends.className = "cfws-filter";
  ends.textContent = "ends:";
  const kinds = document.createElement("span");
  kinds.className = "cfws-filter";
  kinds.textContent = "kinds:";
  checkboxes(model, "ends", ENDS, ends);
  checkboxes(model, "kinds", KINDS, kinds);
  const counters = document.createElement("span");
  counters.className = "cfws-counters";
  bar.append(ends, kinds, counters);

  const scroller = document.createElement("div");
  scroller.className = "cfws-scroller";
  const table = document.createElement("table");
  const head = document.createElement("thead");
  const body = document.createElement("tbody");
  table.append(head, body);
  scroller.appendChild(table);
  el.append(bar, scroller);

  function header() {
    head.textContent = "";
    const tr = document.createElement("tr");
    const names = ["#", ...(model.get("many_pairs") ? ["pair"] : []), "end", "step",
      "close code", "wasClean", "client", "server"];
    for (const n of names) {
      const th = document.createElement("th");
      th.textContent = n;
      tr.appendChild(th);
    }
    head.appendChild(tr);
  }
  header();
  model.on("change:many_pairs", header);

  function apply(msg) {
    if (!msg || (msg.type !== "rows" && msg.type !== "reset")) return;
    const stick = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4;
    if (msg.type === "reset") body.textContent = "";
    const many = model.get("many_pairs");
    const frag = document.createDocumentFragment();
    for (const row of msg.rows) frag.appendChild(rowElement(row, many));
    body.appendChild(frag);
    while (body.firstChild && Number(body.firstChild.dataset.seq) < msg.first) {
      body.removeChild(body.firstChild);
    }
    const c = msg.counters;
    counters.textContent = `shown ${c.shown} · hidden ${c.hidden} · dropped ${c.dropped} · total ${c.total}`;
    counters.dataset.shown = String(c.shown);
    counters.dataset.dropped = String(c.dropped);
    counters.dataset.total = String(c.total);
    if (stick) scroller.scrollTop = scroller.scrollHeight;
  }
  model.on("msg:custom", apply);
  model.send({ type: "snapshot" });
  return () => model.off("msg:custom", apply);
}

export default { render };

// The Durable Object inspector's view: one card per object, redrawn from `objects`.
function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function card(obj) {
  const box = el("div", `cfws-do cfws-do-${obj.awake ? "awake" : "hibernated"}`);
  box.dataset.label = obj.label;
  const head = el("div", "cfws-do-head");
  head.appendChild(el("b", null, `${obj.binding}: ${obj.label}`));
  head.appendChild(el("span", "cfws-do-state", obj.awake ? " ● awake" : " ○ hibernated"));
  head.appendChild(el("span", "cfws-counters", ` constructed ${obj.constructed}×, evicted ${obj.evictions}×`));
  box.appendChild(head);
  const table = el("table", "cfws-do-sockets");
  for (const s of obj.sockets) {
    const tr = el("tr", `cfws-rs-${s.readyState}`);
    tr.appendChild(el("td", null, `${s.readyState} ${s.state}`));
    tr.appendChild(el("td", null, s.tags.length ? s.tags.join(", ") : "—"));
    tr.appendChild(el("td", null, s.attachment === null ? "" : s.attachment));
    table.appendChild(tr);
  }
  if (obj.sockets.length) box.appendChild(table);
  if (obj.more_sockets) box.appendChild(el("div", null, `… ${obj.more_sockets} more sockets`));
  const keys = obj.keys.join(", ") + (obj.more_keys ? ` … (+${obj.more_keys})` : "");
  box.appendChild(el("div", null, `storage: ${obj.keys.length + obj.more_keys} keys${keys ? ": " + keys : ""}`));
  box.appendChild(el("div", null, `alarm: ${obj.alarm === null ? "none" : obj.alarm}`));
  for (const reason of obj.blockers) box.appendChild(el("div", "cfws-error", `cannot hibernate: ${reason}`));
  if (obj.last) box.appendChild(el("div", "cfws-do-last", `last: ${obj.last}`));
  if (obj.timeline && obj.timeline.length) {
    // Every state the object went through, oldest first, each with the event that caused it.
    const line = el("ol", "cfws-do-timeline");
    line.setAttribute("aria-label", "timeline");
    for (const step of obj.timeline) {
      const item = el("li", `cfws-tl cfws-tl-${step.state}`);
      item.dataset.state = step.state;
      item.dataset.what = step.what;
      item.appendChild(el("span", "cfws-tl-mark", step.state === "awake" ? "●" : "○"));
      item.appendChild(el("span", "cfws-tl-what", ` ${step.what}`));
      item.appendChild(el("span", "cfws-tl-cause", ` (${step.cause})`));
      line.appendChild(item);
    }
    box.appendChild(line);
  }
  return box;
}

function render({ model, el: root }) {
  const wrap = el("div", "cfws-inspector");
  root.appendChild(wrap);
  const draw = () => {
    const objects = model.get("objects");
    wrap.replaceChildren(...(objects.length ? objects.map(card) : [el("div", null, "(no Durable Objects yet)")]));
  };
  model.on("change:objects", draw);
  draw();
  return () => model.off("change:objects", draw);
}

export default { render };

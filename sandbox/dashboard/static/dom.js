// A tiny DOM builder: h('p', {class: 'x'}, 'text', child).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// pretty prints a body: indented JSON when it parses, the text otherwise.
export function pretty(body) {
  if (!body) return '';
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch { return body; }
}

// debounce runs fn at most once per wait milliseconds, after the calls stop.
export function debounce(fn, wait) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), wait); };
}

// table builds a table with a caption, header cells and rows of cells.
export function table(caption, heads, rows, attrs) {
  return h('table', attrs,
    h('caption', null, caption),
    h('thead', null, h('tr', null, heads.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows));
}

// field is a labelled form control.
export function field(id, label, control) {
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}
